# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
"""The steps of a month at the partners' points, done through the screens
their users use: the clerk's portal, the back office, the customer's link
and the sandbox gateway."""
import re

from proteus import Model, Wizard
from trytond.modules.drop_point.tests.portal_client import (
    PortalClient, code_of)


class Points:
    "The portal, the back office and the customers, in one database"

    def __init__(self, config, sent):
        self.database = config.database_name
        self.root = f'/{config.database_name}'
        self.sent = sent
        self.clients = {}

    def last_code(self):
        return code_of(self.sent()[-1])

    def last_link(self):
        link = re.search(r'https?://\S+', self.sent()[-1]['text']).group()
        return '/' + link.split('/', 3)[3]

    def token(self, client):
        "The CSRF token of the client's forms"
        return client.csrf_token

    def portal(self, email, password):
        "The portal, signed in as the user"
        if email not in self.clients:
            client = PortalClient.wsgi(self.database)
            response = client.login(email, password)
            assert response.status == 303, response.text
            self.clients[email] = client
        return self.clients[email]

    def open_point(self, code, type_code, partner, email, password,
            role='clerk'):
        "A point of the partner, with one member of staff"
        Point = Model.get('drop.point')
        PointType = Model.get('drop.point.type')
        WebUser = Model.get('web.user')
        point = Point(
            code=code, name=f"Point {code}",
            type=PointType.find([('code', '=', type_code)])[0],
            party=partner, opening_hours="Mo-Su 10:00-21:00")
        user = WebUser(email=email, password=password)
        user.save()
        point.staff.new(web_user=user, role=role)
        point.save()
        return point

    def accept(self, point, email, password, phone, seal, items=1):
        "The clerk takes a sealed bag in, the customer's phone verified"
        client = self.portal(email, password)
        intake = f'{self.root}/portal/point/{point.id}/intake'
        client.post(f'{intake}/code', phone=phone)
        form = client.post(
            f'{intake}/verify', phone=phone, code=self.last_code()).form()
        page = client.post(
            f'{intake}/accept', form, seal=seal, item_count=str(items)).text
        assert 'Bag accepted' in page, page
        Bag = Model.get('drop.bag')
        bag, = Bag.find([('seal', '=', seal)])
        return bag

    def write_up(self, bag, product, counted=1):
        """The factory receives the bag, counts its items and confirms its
        order of the service: return the order and the customer's link"""
        receive = Wizard('drop.bag.receive')
        receive.form.seal = bag.seal
        receive.execute('find')
        receive.form.counted_items = counted
        receive.execute('receive')
        bag.reload()
        bag.click('write_up')
        bag.reload()
        order = bag.order
        line = order.lines.new(product=product)
        line.quantity = 1
        order.click('quote')
        order.click('confirm')
        return order, self.last_link()

    def pay_online(self, link):
        "The customer pays the order from the link with the sandbox's card"
        client = PortalClient.wsgi(self.database, language='en')
        client.get(link)
        response = client.post(f'{link}/pay')
        assert response.status == 303, response.text
        response = response.follow().submit('card-form',
            card='4242 4242 4242 4242', expiry='12/39', cvc='123')
        assert 'payment=succeeded' in response.headers.get('Location', ''), (
            response.text)

    def bring_back(self, bag):
        "The factory finishes the order and an act takes the bag back"
        Handover = Model.get('drop.handover')
        bag.reload()
        bag.click('ready')
        act = Handover(direction='to_point', drop_point=bag.drop_point,
            from_location=bag.custodian,
            to_location=bag.drop_point.location.storage_location)
        act.lines.new(bag=bag)
        act.save()
        act.click('send')
        act.click('confirm')

    def collect_cash(self, bag, email, password):
        "The clerk takes the amount due in cash on the issue screen"
        client = self.portal(email, password)
        page = (f'{self.root}/portal/point/{bag.drop_point.id}/issue/'
            f'{bag.id}')
        response = client.post(
            f'{page}/pay', method='cash', request_id=f'cash-{bag.seal}')
        assert response.status == 303, response.text

    def issue(self, bag, email, password):
        "The customer reads out the code; the clerk hands the bag out"
        client = self.portal(email, password)
        page = (f'{self.root}/portal/point/{bag.drop_point.id}/issue/'
            f'{bag.id}')
        client.post(f'{page}/code')
        response = client.post(f'{page}/confirm', code=self.last_code())
        assert response.status in {200, 303}, response.text
        bag.reload()
        assert bag.state == 'issued', bag.state
