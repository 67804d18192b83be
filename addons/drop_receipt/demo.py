# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
"""Demo data: a minimal chart of accounts and this year's fiscal year (so
that orders make invoices), the factory's service catalogue with prices, and
the order of the bag received at the factory, written up and confirmed.
Loaded by bin/load-demo."""
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
# the received demo bag's items: service, item, colour, brand, defects
ORDER = ('PL200102', [
        ("Химчистка пальто", "Пальто шерстяное", "серое", "Zarina",
            "Потёртость на левом рукаве"),
        ("Выведение пятна", "Пальто шерстяное", "серое", "Zarina",
            "Пятно от кофе на подоле"),
        ])


def setup(config):
    "Load the accounts, the catalogue and the order"
    Company = Model.get('company.company')
    company, = Company.find([])
    _accounts(company, config)
    _services(get_accounts(company, config=config)['revenue'])
    with demo.transaction(config) as pool:
        _order(pool)
    return {}


def _accounts(company, config):
    create_chart(company, config=config)
    fiscalyear = set_fiscalyear_invoice_sequences(
        create_fiscalyear(company, config=config), config=config)
    fiscalyear.click('create_period')


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


def _order(pool):
    Bag = pool.get('drop.bag')
    Product = pool.get('product.product')
    Sale = pool.get('sale.sale')
    Line = pool.get('sale.line')
    seal, items = ORDER
    bag, = Bag.search([('seal', '=', seal)])
    action = Bag.write_up([bag])
    sale = Sale(action['res_id'][0])
    lines = []
    for service, kind, colour, brand, defects in items:
        product, = Product.search([('name', '=', service)])
        line = Line(
            sale=sale, product=product, quantity=1, item_kind=kind,
            item_colour=colour, item_brand=brand, item_defects=defects)
        line.on_change_product()
        lines.append(line)
    Line.save(lines)
    Sale.quote([sale])
    Sale.confirm([sale])
