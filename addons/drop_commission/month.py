# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
"""What happened in a partner's month, as its statement reads it: the orders
earned on, the bags its points accepted, the discrepancies they caused, the
acts they handed over late, the cash they collected; and the lines the
month's rules make of them."""
import datetime as dt
from decimal import Decimal

from sql import Literal
from sql.aggregate import Count, Sum
from sql.conditionals import Coalesce
from sql.operators import Exists

from trytond.i18n import gettext
from trytond.pool import Pool
from trytond.tools import timezone as tz
from trytond.transaction import Transaction

from .exceptions import StatementError


class PartnerMonth:
    "The partner's month of a statement (agent, company, start and end)"
    __slots__ = ()

    def _order_totals(self):
        "The month's orders (net positive) and their base and earned sums"
        Commission = Pool().get('commission')
        commission = Commission.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*commission.select(
                commission.drop_order,
                Sum(Coalesce(commission.base_amount, 0)),
                Sum(commission.amount),
                where=(commission.drop_statement == self.id)
                & (commission.drop_kind == 'order'),
                group_by=[commission.drop_order]))
        orders, base, earned = 0, Decimal(0), Decimal(0)
        for order, order_base, order_amount in cursor:
            order_amount = Decimal(order_amount or 0)
            if order_amount > 0:
                orders += 1
            base += Decimal(order_base or 0)
            earned += order_amount
        return orders, base, earned

    def _utc(self, date, end=False):
        "The UTC start of the date's day on the company's clock"
        zone = (tz.get_tzinfo(self.company.timezone)
            if self.company.timezone else tz.SERVER)
        if end:
            date += dt.timedelta(days=1)
        local = dt.datetime.combine(date, dt.time()).replace(tzinfo=zone)
        return local.astimezone(tz.UTC).replace(tzinfo=None)

    def _range(self, rule):
        "The part of the month in which the rule is valid, as UTC bounds"
        start = max(self.start_date, rule.start_date or self.start_date)
        end = min(self.end_date, rule.end_date or self.end_date)
        if start > end:
            return None
        return self._utc(start), self._utc(end, end=True)

    def _points(self, rule=None):
        return [p.id for p in self.agent.drop_points
            if not rule or not rule.drop_point_type
            or p.type == rule.drop_point_type]

    def count_bags(self, rule=None):
        "The bags the partner's points accepted in the month (or the rule's)"
        Bag = Pool().get('drop.bag')
        bag = Bag.__table__()
        cursor = Transaction().connection.cursor()
        bounds = (self._range(rule) if rule
            else (self._utc(self.start_date),
                self._utc(self.end_date, end=True)))
        points = self._points(rule)
        if not bounds or not points:
            return 0
        cursor.execute(*bag.select(Count(bag.id),
                where=bag.drop_point.in_(points)
                & (bag.accepted_at >= bounds[0])
                & (bag.accepted_at < bounds[1])
                & (bag.state != 'cancelled')))
        return cursor.fetchone()[0]

    def count_discrepancies(self, rule):
        "The discrepancies of the month the partner's points caused"
        pool = Pool()
        Bag = pool.get('drop.bag')
        Discrepancy = pool.get('drop.bag.discrepancy')
        bag = Bag.__table__()
        discrepancy = Discrepancy.__table__()
        cursor = Transaction().connection.cursor()
        bounds, points = self._range(rule), self._points(rule)
        if not bounds or not points:
            return 0
        cursor.execute(*discrepancy.join(
                bag, condition=discrepancy.bag == bag.id).select(
                Count(discrepancy.id),
                where=bag.drop_point.in_(points)
                & (discrepancy.point_at_fault == Literal(True))
                & (discrepancy.create_date >= bounds[0])
                & (discrepancy.create_date < bounds[1])))
        return cursor.fetchone()[0]

    def count_late_handovers(self, rule):
        """The acts by which the partner's points handed bags over later
        than the agreed hours after accepting one of them"""
        pool = Pool()
        Bag = pool.get('drop.bag')
        Handover = pool.get('drop.handover')
        Line = pool.get('drop.handover.line')
        bag = Bag.__table__()
        handover = Handover.__table__()
        line = Line.__table__()
        cursor = Transaction().connection.cursor()
        bounds, points = self._range(rule), self._points(rule)
        if not bounds or not points:
            return 0
        agreed = dt.timedelta(hours=rule.hours or 0)
        late = line.join(bag, condition=line.bag == bag.id).select(
            line.id,
            where=(line.handover == handover.id)
            & (bag.accepted_at < handover.sent_at - agreed))
        cursor.execute(*handover.select(Count(handover.id),
                where=(handover.direction == 'to_factory')
                & handover.drop_point.in_(points)
                & handover.state.in_(['sent', 'done'])
                & (handover.sent_at >= bounds[0])
                & (handover.sent_at < bounds[1])
                & Exists(late)))
        return cursor.fetchone()[0]

    def collections(self):
        "The cash the partner's points collected for the company in the month"
        Collection = Pool().get('drop.bag.collection')
        points = self._points()
        if not points:
            return []
        return Collection.search([
                ('drop_point', 'in', points),
                ('method', '=', 'cash'),
                ('create_date', '>=', self._utc(self.start_date)),
                ('create_date', '<', self._utc(self.end_date, end=True)),
                ], order=[('create_date', 'ASC'), ('id', 'ASC')])

    def month_lines(self):
        """The lines of the month's rules and of the cash collected, as
        unsaved commissions; also sets the order and bag counts"""
        pool = Pool()
        Configuration = pool.get('drop.commission.configuration')
        Lang = pool.get('ir.lang')
        plan = self.agent.plan
        currency = self.agent.currency
        lang = Lang.get()
        orders, base, earned = self._order_totals()
        self.order_count = orders
        self.bag_count = self.count_bags()
        point_types = {p.type.id for p in self.agent.drop_points}
        lines = []

        def line(kind, amount, rule=None, quantity=None, note=None,
                product=None, **values):
            amount = currency.round(amount)
            if amount:
                lines.append(self._line(
                        kind, amount, rule=rule, quantity=quantity,
                        note=note, product=product, **values))

        def money(amount):
            return lang.currency(amount, currency, symbol=False, grouping=True)

        rules = [r for r in (plan.drop_rules if plan else [])
            if r.applies_to(point_types)]
        month_rules = [r for r in rules if r.valid_on(self.end_date)]
        for rule in month_rules:
            if rule.kind == 'tier' and rule.in_tier(orders):
                # the tier's rate on the whole month, less what the orders
                # earned line by line
                line('tier', currency.round(base * rule.rate) - earned,
                    rule=rule, quantity=orders,
                    note=f'{rule.percentage.normalize():f}% × {money(base)}'
                    f' − {money(earned)}')
                break
        for rule in rules:
            if rule.kind == 'bag':
                count = self.count_bags(rule)
                line('bag', rule.amount * count, rule=rule, quantity=count,
                    note=f'{count} × {money(rule.amount)}')
            elif rule.kind in {'discrepancy', 'late'}:
                count = (self.count_discrepancies(rule)
                    if rule.kind == 'discrepancy'
                    else self.count_late_handovers(rule))
                line('penalty', -rule.amount * count, rule=rule,
                    quantity=count, note=f'{count} × {money(rule.amount)}')
        for rule in month_rules:
            if rule.kind == 'bonus' and orders >= rule.min_orders:
                line('bonus', rule.amount, rule=rule, quantity=orders)
        collections = self.collections()
        if collections:
            product = Configuration(1).collection_product
            if not product:
                raise StatementError(gettext(
                        'drop_commission.msg_collection_product'))
            for collection in collections:
                line('cash', -collection.amount, quantity=1,
                    product=product, drop_bag=collection.bag,
                    drop_order=collection.bag.order)
        return lines

    def _line(self, kind, amount, rule=None, quantity=None, note=None,
            product=None, **values):
        Commission = Pool().get('commission')
        if not product:
            if not self.agent.plan:
                raise StatementError(gettext(
                        'drop_commission.msg_statement_no_plan',
                        partner=self.agent.rec_name))
            product = self.agent.plan.commission_product
        return Commission(
            agent=self.agent, product=product, amount=amount,
            date=self.end_date, origin=self, drop_statement=self,
            drop_kind=kind, drop_rule=rule, drop_quantity=quantity,
            drop_note=note, **values)
