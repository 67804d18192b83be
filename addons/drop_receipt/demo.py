# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
"""Demo data: a minimal chart of accounts and this year's fiscal year (so
that orders make invoices), the payment methods of the points (cash, card),
the online payments through the sandbox gateway, the receipt's terms, the
factory's service catalogue with prices, and the orders of the two bags
received at the factory: one ready and back at its point, not paid, waiting
for its customer; the other at the factory, for its customer to sign and pay
by the link.  Loaded by bin/load-demo."""
from decimal import Decimal

from proteus import Model
from trytond.modules.account.tests.tools import (
    create_chart, create_fiscalyear, get_accounts)
from trytond.modules.account_invoice.tests.tools import (
    set_fiscalyear_invoice_sequences)
from trytond.modules.drop_point import demo

# name, unit, price in roubles
SERVICES = [
    ("Химчистка пальто", 'unit', 1200),
    ("Химчистка костюма", 'unit', 1500),
    ("Химчистка платья", 'unit', 1100),
    ("Химчистка пуховика", 'unit', 1800),
    ("Стирка (за кг)", 'kg', 350),
    ("Выведение пятна", 'unit', 400),
    ]
# the received demo bags' orders: seal, then each item's service, kind,
# colour, brand, defects; the first is back at its point, not paid, the
# second at the factory, its customer yet to sign and pay by the link
ORDERS = [
    ('PL200102', [
            ("Химчистка пальто", "Пальто шерстяное", "серое", "Zarina",
                "Потёртость на левом рукаве"),
            ("Выведение пятна", "Пальто шерстяное", "серое", "Zarina",
                "Пятно от кофе на подоле"),
            ]),
    ('PL300103', [
            ("Химчистка костюма", "Костюм двойка", "тёмно-синий", "Hugo",
                ""),
            ("Химчистка платья", "Платье вечернее", "чёрное", "",
                "Затяжка на спинке"),
            ]),
    ]


def setup(config):
    "Load the accounts, the catalogue and the order"
    Company = Model.get('company.company')
    company, = Company.find([])
    _accounts(company, config)
    accounts = get_accounts(company, config=config)
    _payment_methods(company, accounts['cash'])
    _online(company, accounts['cash'], config)
    _services(accounts['revenue'])
    _back_office_groups()
    with demo.transaction(config) as pool:
        sales = [_order(pool, seal, items) for seal, items in ORDERS]
        _back_at_point(pool, sales[0].bag)
    return {}


def _accounts(company, config):
    create_chart(company, config=config)
    fiscalyear = set_fiscalyear_invoice_sequences(
        create_fiscalyear(company, config=config), config=config)
    fiscalyear.click('create_period')


def _payment_methods(company, cash):
    "Cash and card taken at the points, booked to the cash account"
    Configuration = Model.get('drop.receipt.configuration')
    Journal = Model.get('account.journal')
    PaymentMethod = Model.get('account.invoice.payment.method')
    journal, = Journal.find([('code', '=', 'CASH')])
    methods = []
    for name in ["Наличные в пункте", "Карта на терминале пункта"]:
        method = PaymentMethod(
            company=company, name=name, journal=journal,
            credit_account=cash, debit_account=cash)
        method.save()
        methods.append(method)
    configuration = Configuration(1)
    configuration.cash_method, configuration.card_method = methods
    configuration.save()


TERMS = {
    'ru': "Мы чистим вещи бережно, по технологии, подходящей ткани и "
    "маркировке. Дефекты, отмеченные в квитанции, могут проявиться после "
    "чистки. Заказ хранится в пункте 30 дней; выдача — по коду из SMS.",
    'en': "We clean the items with care, by the process their fabric and "
    "labels call for. The defects noted on the receipt may show after "
    "cleaning. The order is kept at the point for 30 days and handed out "
    "with the code sent by SMS.",
    }


def _online(company, cash, config):
    """The receipt's "Pay" goes to the sandbox gateway (test cards); the
    payments are cleared on the invoices through the cash account"""
    Configuration = Model.get('drop.receipt.configuration')
    Journal = Model.get('account.journal')
    PaymentJournal = Model.get('account.payment.journal')
    journal = PaymentJournal(
        company=company, name="Онлайн-оплата (песочница)",
        process_method='drop_sandbox', clearing_account=cash,
        clearing_journal=Journal.find([('code', '=', 'CASH')])[0])
    journal.save()
    configuration = Configuration(1)
    configuration.online_journal = journal
    configuration.save()
    for language, terms in TERMS.items():
        with config.set_context(language=language):
            configuration = Configuration(1)
            configuration.terms = terms
            configuration.save()


def _back_office_groups():
    "The dispatcher also writes orders up and sees their invoices"
    Group = Model.get('res.group')
    User = Model.get('res.user')
    user, = User.find([('login', '=', demo.BACK_OFFICE)])
    user.groups.extend(Group.find([('name', 'in', [
                        "Sales", "Accounting", "Product Administration",
                        "Payment"])]))
    user.save()


def _services(revenue):
    Category = Model.get('product.category')
    Template = Model.get('product.template')
    Uom = Model.get('product.uom')
    category = Category(
        name="Услуги фабрики", accounting=True, account_revenue=revenue)
    category.save()
    units = {
        'unit': Uom.find([('symbol', '=', 'u')])[0],
        'kg': Uom.find([('symbol', '=', 'kg')])[0],
        }
    for name, unit, price in SERVICES:
        template = Template(
            name=name, type='service', default_uom=units[unit],
            salable=True, list_price=Decimal(price),
            account_category=category)
        template.save()


def _order(pool, seal, items):
    "The bag's order written up and confirmed"
    Bag = pool.get('drop.bag')
    Product = pool.get('product.product')
    Sale = pool.get('sale.sale')
    Line = pool.get('sale.line')
    bag, = Bag.search([('seal', '=', seal)])
    action = Bag.write_up([bag])
    sale = Sale(action['res_id'][0])
    lines = []
    for service, kind, colour, brand, defects in items:
        product, = Product.search([('name', '=', service)])
        line = Line(
            sale=sale, product=product, quantity=1, item_kind=kind,
            item_colour=colour, item_brand=brand or None,
            item_defects=defects or None)
        line.on_change_product()
        lines.append(line)
    Line.save(lines)
    Sale.quote([sale])
    Sale.confirm([sale])
    return Sale(sale.id)


def _back_at_point(pool, bag):
    "The order is done, the factory hands the bag back to its point"
    Bag = pool.get('drop.bag')
    Handover = pool.get('drop.handover')
    Bag.ready([bag])
    point = bag.drop_point
    act = Handover(
        direction='to_point', drop_point=point,
        from_location=bag.custodian,
        to_location=point.location.storage_location,
        lines=[{'bag': bag.id}])
    act.save()
    Handover.send([act])
    Handover.confirm([act])
