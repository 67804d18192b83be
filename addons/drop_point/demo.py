# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
"""Demo data: a dry cleaner with its factory, three partner drop points, their
staff, a courier and a back-office manager.  Loaded by bin/load-demo."""
import datetime
from contextlib import contextmanager
from decimal import Decimal

from proteus import Model, Wizard

PASSWORD = 'drop-demo'
COMPANY = "Чистая Линия"
POINTS = [
    # code, name, type code, partner, street, city, hours, clerk
    ('PVZ-01', "ПВЗ на Ленина", 'PVZ',
        "ООО «Маркет Пункт»", "ул. Ленина, 12", "Екатеринбург",
        "Пн-Вс 10:00-21:00", 'clerk.pvz@demo.example'),
    ('ATL-02', "Ателье «Игла»", 'TAILOR',
        "ИП Смирнова А. В.", "пр. Мира, 5", "Екатеринбург",
        "Пн-Сб 09:00-19:00", 'clerk.atelier@demo.example'),
    ('CON-03', "Консьерж ЖК «Река»", 'CONCIERGE',
        "ТСЖ «Река»", "наб. Исети, 3", "Екатеринбург",
        "Ежедневно 08:00-22:00", 'clerk.concierge@demo.example'),
    ]
PARTNER_MANAGER = 'manager.pvz@demo.example'
COURIER = 'courier@demo.example'
BACK_OFFICE = 'manager'


def setup(config):
    "Load the demo data through the given proteus config"
    company = _company(config)
    factory = _factory()
    points = [_point(company, factory, *p) for p in POINTS]
    _staff(points)
    _back_office(company)
    return {
        'back_office': [('admin', 'admin'), (BACK_OFFICE, PASSWORD)],
        'portal': [(p[-1], PASSWORD) for p in POINTS] + [
            (PARTNER_MANAGER, PASSWORD), (COURIER, PASSWORD)],
        }


@contextmanager
def transaction(config):
    """A transaction on the database of the proteus config, as admin in the
    company, committed at the end, then its queued tasks run (messages, the
    processing of orders): for the demo data that only the models' methods
    can make (not through RPC)"""
    from trytond.pool import Pool
    from trytond.transaction import Transaction

    User = Model.get('res.user')
    Company = Model.get('company.company')
    admin, = User.find([('login', '=', 'admin')])
    company, = Company.find([])
    from trytond.worker import run_task
    with Transaction().start(
            config.database_name, admin.id,
            context={'company': company.id, 'language': 'ru'}) as current:
        pool = Pool()
        yield pool
        current.commit()
        tasks = list(current.tasks)
    # what the transaction queued runs after it, as after an RPC call
    for task in tasks:
        run_task(pool, task)


def _company(config):
    Company = Model.get('company.company')
    Currency = Model.get('currency.currency')
    CurrencyRate = Model.get('currency.currency.rate')
    Party = Model.get('party.party')
    User = Model.get('res.user')
    Lang = Model.get('ir.lang')

    if Company.find():
        raise SystemExit("demo data are already loaded")
    rub = Currency(
        name="Russian Ruble", code='RUB', symbol='₽',
        rounding=Decimal('0.01'), digits=2)
    rub.save()
    CurrencyRate(
        date=datetime.date(2020, 1, 1), rate=Decimal(1), currency=rub).save()
    russian, = Lang.find([('code', '=', 'ru')])
    party = Party(name=COMPANY, lang=russian)
    party.save()
    company_config = Wizard('company.company.config')
    company_config.execute('company')
    company_config.form.party = party
    company_config.form.currency = rub
    company_config.form.timezone = 'Asia/Yekaterinburg'
    company_config.execute('add')
    config._context = User.get_preferences(True, {})
    company, = Company.find()
    return company


def _factory():
    Location = Model.get('stock.location')
    factory, = Location.find([('code', '=', 'WH')])
    factory.name = "Фабрика «Чистая Линия»"
    factory.save()
    return factory


def _point(
        company, factory, code, name, type_code, partner, street, city, hours,
        clerk):
    Point = Model.get('drop.point')
    Party = Model.get('party.party')
    Type = Model.get('drop.point.type')

    party = Party(name=partner)
    address, = party.addresses
    address.street = street
    address.city = city
    party.save()
    point_type, = Type.find([('code', '=', type_code)])
    point = Point(
        code=code, name=name, type=point_type, party=party,
        warehouse=factory, opening_hours=hours)
    point.address, = party.addresses
    point.save()
    return point


def _staff(points):
    WebUser = Model.get('web.user')
    Party = Model.get('party.party')
    Staff = Model.get('drop.point.staff')

    def web_user(email, name, courier=False):
        party = Party(name=name)
        party.save()
        user = WebUser(
            email=email, password=PASSWORD, party=party, courier=courier,
            email_valid=True)
        user.save()
        return user

    for point, (*_, email) in zip(points, POINTS):
        clerk = web_user(email, f"Приёмщик {point.code}")
        Staff(point=point, web_user=clerk, role='clerk').save()
    manager = web_user(PARTNER_MANAGER, "Управляющий ПВЗ")
    Staff(point=points[0], web_user=manager, role='manager').save()
    web_user(COURIER, "Иван Петров", courier=True)


def _back_office(company):
    User = Model.get('res.user')
    Group = Model.get('res.group')
    Lang = Model.get('ir.lang')
    russian, = Lang.find([('code', '=', 'ru')])
    groups = Group.find([('name', 'in', [
                    "Drop Points Administration", "Drop Points",
                    "Stock", "Stock Administration",
                    "Party Administration", "Company Administration",
                    "Text Messages",
                    ])])
    user = User(
        login=BACK_OFFICE, name="Диспетчер (демо)", password=PASSWORD,
        language=russian)
    user.groups.extend(groups)
    user.companies.append(company)
    user.company = company
    user.save()
