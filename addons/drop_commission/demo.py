# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
"""Demo data: each point's partner is a commission agent on the plan of its
point's type (tailor shops 10% and 50 ₽ a bag, marketplace points 7% with
volume tiers and a bonus, concierges 5% on issue); three orders of the
marketplace point invoiced this month; and this month's draft statements,
which the partner's manager also reads in the portal.  Loaded by
bin/load-demo."""
import datetime
from decimal import Decimal

from proteus import Model, Wizard
from trytond.modules.account.tests.tools import get_accounts
from trytond.modules.drop_point import demo


def rule(name, kind, **values):
    return dict(name=name, kind=kind, **values)


# name, type code, method, lines (name, formula), rules
PLANS = [
    ("Ателье", 'TAILOR', 'payment',
        [("Ателье: 10% заказа", 'amount * 0.10')],
        [rule("За каждый принятый пакет", 'bag', amount=Decimal(50)),
            rule("Расхождение по вине пункта", 'discrepancy',
                amount=Decimal(200))]),
    ("ПВЗ маркетплейсов", 'PVZ', 'posting',
        [("ПВЗ: 7% заказа", 'amount * 0.07')],
        [rule("До 100 заказов: 7%", 'tier', min_orders=0, max_orders=100,
            percentage=Decimal(7)),
            rule("101–300 заказов: 9%", 'tier', min_orders=101,
                max_orders=300, percentage=Decimal(9)),
            rule("Свыше 300 заказов: 11%", 'tier', min_orders=301,
                percentage=Decimal(11)),
            rule("Бонус за 100 заказов в месяц", 'bonus', min_orders=100,
                amount=Decimal(2000)),
            rule("Передача позже 48 часов", 'late', hours=48,
                amount=Decimal(100))]),
    ("Консьержи", 'CONCIERGE', 'issue',
        [("Консьерж: 5% заказа", 'amount * 0.05')],
        [rule("За каждый принятый пакет", 'bag', amount=Decimal(30))]),
    ]


def setup(config):
    "The plans, the partners as agents, this month's statements"
    Company = Model.get('company.company')
    company, = Company.find([])
    accounts = get_accounts(company, config=config)
    commission, collected = _products(accounts)
    Configuration = Model.get('drop.commission.configuration')
    configuration = Configuration(1)
    configuration.collection_product = collected
    configuration.save()
    for name, type_code, method, lines, rules in PLANS:
        plan = _plan(name, method, commission, lines, rules)
        _agents(type_code, plan)
    _back_office_groups()
    with demo.transaction(config) as pool:
        for seal, phone, items in ORDERS:
            _order(pool, seal, phone, items)
    # the orders are processed once committed: their invoices posted now
    # earn the marketplace point its 7%
    Invoice = Model.get('account.invoice')
    Sale = Model.get('sale.sale')
    Invoice.click([i for s in Sale.find([
                    ('bag.seal', 'in', [o[0] for o in ORDERS])])
            for i in s.invoices], 'post')
    make = Wizard('drop.commission.statement.create')
    make.form.date = datetime.date.today()
    make.execute('make')
    return {}


# bags the marketplace point took this month, their orders invoiced
ORDERS = [
    ('PL100301', '+79120000111', ["Химчистка пальто"]),
    ('PL100302', '+79120000112', ["Химчистка костюма", "Химчистка платья"]),
    ('PL100303', '+79120000113', ["Химчистка пальто"]),
    ]


def _order(pool, seal, phone, services):
    "A bag accepted at the marketplace point, received, its order confirmed"
    Bag = pool.get('drop.bag')
    Line = pool.get('sale.line')
    Point = pool.get('drop.point')
    Product = pool.get('product.product')
    Sale = pool.get('sale.sale')
    point, = Point.search([('code', '=', demo.POINTS[0][0])])
    bag = Bag(
        company=point.company, drop_point=point, seal=seal, phone=phone,
        customer=Bag.customer_for(phone), item_count=len(services),
        clerk=point.staff[0].web_user)
    bag.save()
    Bag.accept([bag])
    Bag.receive_checked(bag, True, len(services))
    sale = Sale(Bag.write_up([bag])['res_id'][0])
    lines = []
    for service in services:
        product, = Product.search([('name', '=', service)])
        line = Line(sale=sale, product=product, quantity=1)
        line.on_change_product()
        lines.append(line)
    Line.save(lines)
    Sale.quote([sale])
    Sale.confirm([sale])


def _products(accounts):
    Category = Model.get('product.category')
    Template = Model.get('product.template')
    Uom = Model.get('product.uom')
    unit, = Uom.find([('symbol', '=', 'u')])
    category = Category(
        name="Расчёты с партнёрами", accounting=True,
        account_revenue=accounts['revenue'],
        account_expense=accounts['expense'])
    category.save()
    products = []
    for name in ["Вознаграждение партнёра", "Наличные, принятые пунктом"]:
        template = Template(
            name=name, type='service', default_uom=unit,
            list_price=Decimal(0), account_category=category)
        template.save()
        products.append(template.products[0])
    return products


def _plan(name, method, product, lines, rules):
    Plan = Model.get('commission.plan')
    plan = Plan(
        name=name, commission_product=product, commission_method=method)
    for line_name, formula in lines:
        plan.lines.new(name=line_name, formula=formula)
    for values in rules:
        plan.drop_rules.new(**values)
    plan.save()
    return plan


def _agents(type_code, plan):
    "The partners of the points of the type, as agents on the plan"
    Agent = Model.get('commission.agent')
    Point = Model.get('drop.point')
    for point in Point.find([('type.code', '=', type_code)]):
        agents = Agent.find([('party', '=', point.party.id)])
        if agents:
            agent, = agents
        else:
            agent = Agent(party=point.party, plan=plan)
            agent.save()
        point.agent = agent
        point.save()


def _back_office_groups():
    "The dispatcher also settles the partners' commissions"
    Group = Model.get('res.group')
    User = Model.get('res.user')
    user, = User.find([('login', '=', demo.BACK_OFFICE)])
    user.groups.extend(Group.find([('name', 'in', [
                        "Commission", "Commission Administration"])]))
    user.save()
