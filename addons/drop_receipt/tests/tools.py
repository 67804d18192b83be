# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
"""Steps the order's scenarios share: a point with its clerk and a priced
service, and a bag taken in at the point and written up at the factory."""
import html
import re
from decimal import Decimal

from proteus import Model, Wizard
from trytond.modules.drop_point.tests.portal_client import PortalClient


def create_shop(accounts, config, service="Dry cleaning of a suit",
        price='1500'):
    "A point with its clerk anna@example.com, and a service with its price"
    Category = Model.get('product.category')
    Party = Model.get('party.party')
    Point = Model.get('drop.point')
    PointType = Model.get('drop.point.type')
    Template = Model.get('product.template')
    Uom = Model.get('product.uom')
    WebUser = Model.get('web.user')
    category = Category(
        name="Services", accounting=True,
        account_revenue=accounts['revenue'])
    category.save()
    template = Template(
        name=service, type='service',
        default_uom=Uom.find([('name', '=', 'Unit')])[0], salable=True,
        list_price=Decimal(price), account_category=category)
    template.save()
    partner = Party(name="Partner")
    partner.save()
    point = Point(
        code='PVZ01', name="Point on Lenin street",
        type=PointType.find([('code', '=', 'PVZ')])[0], party=partner,
        opening_hours="Mo-Su 10:00-21:00")
    clerk = WebUser(email='anna@example.com', password='clerk-2026')
    clerk.save()
    point.staff.new(web_user=clerk)
    point.save()
    return point, template.products[0]


def confirmed_order(config, point, product, phone, seal, last_code, sent):
    """The clerk takes the bag in, the factory receives it and confirms its
    order of one item: return the order and the link the customer got"""
    Bag = Model.get('drop.bag')
    root = f'/{config.database_name}'
    client = PortalClient.wsgi(config.database_name)
    client.login('anna@example.com', 'clerk-2026')
    intake = f'{root}/portal/point/{point.id}/intake'
    client.post(f'{intake}/code', phone=phone)
    form = client.post(
        f'{intake}/verify', phone=phone, code=last_code()).form()
    page = client.post(
        f'{intake}/accept', form, seal=seal, item_count='1').text
    assert 'Bag accepted' in page, page
    receive = Wizard('drop.bag.receive')
    receive.form.seal = seal
    receive.execute('find')
    receive.form.counted_items = 1
    receive.execute('receive')
    bag, = Bag.find([('seal', '=', seal)])
    bag.click('write_up')
    bag.reload()
    order = bag.order
    line = order.lines.new(product=product)
    line.quantity = 1
    order.click('quote')
    order.click('confirm')
    link = re.search(r'https?://\S+', sent()[-1]['text']).group()
    return order, '/' + link.split('/', 3)[3]


def point_payment_methods(accounts):
    "Cash and card taken at the points, booked to the cash account"
    Configuration = Model.get('drop.receipt.configuration')
    Journal = Model.get('account.journal')
    PaymentMethod = Model.get('account.invoice.payment.method')
    journal, = Journal.find([('code', '=', 'CASH')])
    configuration = Configuration(1)
    for name in ['cash_method', 'card_method']:
        method = PaymentMethod(
            name=name, journal=journal, credit_account=accounts['cash'],
            debit_account=accounts['cash'])
        method.save()
        setattr(configuration, name, method)
    configuration.save()


def back_at_point(bag):
    "The factory finished the bag's order: an act takes it back to its point"
    Handover = Model.get('drop.handover')
    bag.click('ready')
    point = bag.drop_point
    act = Handover(
        direction='to_point', drop_point=point, from_location=bag.custodian,
        to_location=point.location.storage_location)
    act.lines.new(bag=bag)
    act.save()
    act.click('send')
    act.click('confirm')
    bag.reload()


class Clerk:
    "The point's clerk anna@example.com in the portal, in English"

    def __init__(self, config, point):
        self.root = f'/{config.database_name}'
        self.point = point
        self.client = PortalClient.wsgi(
            config.database_name, language='en', prefix='/portal')
        self.client.login('anna@example.com', 'clerk-2026')

    def post(self, path, **data):
        return self.client.post(path, data)

    def collect(self, bag, method='cash'):
        """Record the money taken for the bag: the page shown after, and
        its error if any"""
        response = self.post(
            f'/point/{self.point.id}/issue/{bag.id}/pay', method=method)
        if response.status == 302 or response.status == 303:
            response = response.follow()
        error = re.search(r'id="error">([^<]+)<', response.text)
        state = re.search(r'id="paid-state">([^<]+)<', response.text)
        return state[1], html.unescape(error[1]) if error else None
