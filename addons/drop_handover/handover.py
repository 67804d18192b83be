# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
import datetime as dt

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Unique, Workflow, fields
from trytond.model.exceptions import AccessError
from trytond.modules.drop_bag.bag import normalize_seal
from trytond.modules.drop_point.ir import RuleExportMixin
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction, without_check_access

from .exceptions import HandoverError

DIRECTIONS = [
    ('to_factory', "To the Factory"),
    ('to_point', "Back to the Point"),
    ]
CHANNELS = [
    (None, ""),
    ('back_office', "Back Office"),
    ('portal', "Portal"),
    ('code', "One-Time Code"),
    ]


class Handover(RuleExportMixin, Workflow, ModelSQL, ModelView):
    "The act by which bags change hands (акт приёма-передачи)"
    __name__ = 'drop.handover'
    __string__ = "Handover Act"
    _rec_name = 'number'

    _states = {'readonly': Eval('state') != 'draft'}

    company = fields.Many2One(
        'company.company', "Company", required=True, states=_states)
    number = fields.Char("Number", readonly=True)
    date = fields.Date("Date", required=True, states=_states)
    direction = fields.Selection(
        DIRECTIONS, "Direction", required=True, states=_states, sort=False)
    direction_string = direction.translated('direction')
    from_location = fields.Many2One(
        'stock.location', "From", required=True, states=_states,
        domain=[('type', '=', 'storage')],
        help="Who gives the bags: a drop point, a courier or the factory.")
    to_location = fields.Many2One(
        'stock.location', "To", required=True, states=_states,
        domain=[
            ('type', '=', 'storage'),
            ('id', '!=', Eval('from_location', -1)),
            ],
        help="Who takes the bags.")
    drop_point = fields.Many2One(
        'drop.point', "Drop Point", states=_states,
        help="The point on one side of the act, if any.")
    courier = fields.Many2One(
        'web.user', "Courier", states=_states,
        domain=[('courier', '=', True)],
        help="The courier on one side of the act, if any.")
    lines = fields.One2Many(
        'drop.handover.line', 'handover', "Bags", states=_states)
    bag_count = fields.Function(fields.Integer("Bags"), 'get_totals')
    item_count = fields.Function(fields.Integer("Items"), 'get_totals')
    sent_at = fields.DateTime("Handed Over At", readonly=True)
    sent_user = fields.Many2One(
        'res.user', "Handed Over by User", readonly=True)
    sent_web_user = fields.Many2One(
        'web.user', "Handed Over by Portal User", readonly=True)
    sent_channel = fields.Selection(
        CHANNELS, "Handed Over Through", readonly=True)
    sent_address = fields.Char("Handed Over From Address", readonly=True)
    sent_by = fields.Function(fields.Char(
            "Handed Over By",
            help="Who confirmed giving the bags, and from where."),
        'get_signed')
    done_at = fields.DateTime("Taken Over At", readonly=True)
    done_user = fields.Many2One(
        'res.user', "Taken Over by User", readonly=True)
    done_web_user = fields.Many2One(
        'web.user', "Taken Over by Portal User", readonly=True)
    done_channel = fields.Selection(
        CHANNELS, "Taken Over Through", readonly=True)
    done_address = fields.Char("Taken Over From Address", readonly=True)
    done_by = fields.Function(fields.Char(
            "Taken Over By",
            help="Who confirmed taking the bags, and from where."),
        'get_signed')
    discrepancy_count = fields.Function(
        fields.Integer("Discrepancies"), 'get_totals')
    request_id = fields.Char(
        "Request", readonly=True,
        help="The portal's submit that made the act: a repeated submit "
        "finds it rather than making another.")
    state = fields.Selection([
            ('draft', "Draft"),
            ('sent', "Handed Over"),
            ('done', "Done"),
            ('cancelled', "Cancelled"),
            ], "State", required=True, readonly=True, sort=False)
    state_string = state.translated('state')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('request_id_unique', Unique(t, t.request_id),
                'drop_handover.msg_act_request_unique'),
            ]
        cls._sql_indexes.update({
                Index(t, (t.state, Index.Equality()),
                    where=t.state.in_(['draft', 'sent'])),
                Index(t, (t.courier, Index.Range())),
                Index(t, (t.drop_point, Index.Range())),
                })
        cls._order = [('date', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {
            ('draft', 'sent'),
            ('sent', 'done'),
            ('draft', 'cancelled'),
            }
        cls._buttons.update({
                'send': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                'confirm': {
                    'invisible': Eval('state') != 'sent',
                    'depends': ['state'],
                    },
                'take_over': {
                    'invisible': Eval('state') != 'sent',
                    'depends': ['state'],
                    },
                'cancel': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_date(cls):
        return Pool().get('ir.date').today()

    @classmethod
    def default_direction(cls):
        return 'to_factory'

    @classmethod
    def default_state(cls):
        return 'draft'

    @classmethod
    def get_totals(cls, acts, names):
        result = {n: {a.id: 0 for a in acts} for n in names}
        for act in acts:
            listed = [l for l in act.lines
                if l.outcome not in {'extra', 'not_held'}]
            if 'bag_count' in names:
                result['bag_count'][act.id] = len(listed)
            if 'item_count' in names:
                result['item_count'][act.id] = sum(
                    l.item_count or 0 for l in listed)
            if 'discrepancy_count' in names:
                result['discrepancy_count'][act.id] = len(
                    [l for l in act.lines if l.outcome])
        return result

    def get_rec_name(self, name):
        return self.number or f'({self.id})'

    @classmethod
    def search_rec_name(cls, name, clause):
        return [('number',) + tuple(clause[1:])]

    @classmethod
    def check_modification(cls, mode, acts, values=None, external=False):
        "Only a draft act can be edited or deleted, by hand"
        super().check_modification(
            mode, acts, values=values, external=external)
        if mode == 'delete' or (mode == 'write' and external):
            for act in acts:
                if act.state != 'draft':
                    raise AccessError(gettext(
                            'drop_handover.msg_act_closed',
                            act=act.rec_name))

    @staticmethod
    def signature(prefix):
        """The values of a confirmation: the portal's user (or the courier
        who read a one-time code) or the back office's, and from where"""
        transaction = Transaction()
        context = transaction.context
        web_user = context.get('web_user')
        channel = context.get('handover_channel') or (
            'portal' if web_user else 'back_office')
        return {
            f'{prefix}_at': dt.datetime.now(),
            f'{prefix}_user': None if web_user else transaction.user,
            f'{prefix}_web_user': web_user,
            f'{prefix}_channel': channel,
            f'{prefix}_address': context.get('remote_addr'),
            }

    def get_signed(self, name):
        "The confirmation in the reader's language"
        prefix = name[:-len('_by')]
        channel = getattr(self, f'{prefix}_channel')
        if not channel:
            return None
        # the signer is shown to whoever may read the act
        with without_check_access():
            act = self.__class__(self.id)
            web_user = getattr(act, f'{prefix}_web_user')
            user = getattr(act, f'{prefix}_user')
            if web_user:
                who = (web_user.party.rec_name if web_user.party
                    else web_user.email)
            else:
                who = user.rec_name if user else ''
        return gettext(
            f'drop_handover.msg_signed_{channel}', who=who,
            where=getattr(self, f'{prefix}_address') or '')

    @classmethod
    def hand_over(
            cls, from_location, to_location, bags, direction,
            drop_point=None, courier=None, request_id=None):
        """Make the act of the bags and confirm giving them: return the act.
        A request already made returns its act."""
        Line = Pool().get('drop.handover.line')
        if request_id:
            acts = cls.search([('request_id', '=', request_id)], limit=1)
            if acts:
                return acts[0]
        act = cls(
            from_location=from_location, to_location=to_location,
            direction=direction, drop_point=drop_point, courier=courier,
            request_id=request_id, lines=[Line(bag=b) for b in bags])
        act.save()
        cls.send([act])
        return act

    @classmethod
    def _check_custody(cls, acts):
        "Each bag of the acts is held by the giver, each act has bags"
        for act in acts:
            if not act.lines:
                raise HandoverError(gettext(
                        'drop_handover.msg_act_empty', act=act.rec_name))
            for line in act.lines:
                if not line.bag or line.bag.custodian != act.from_location:
                    raise HandoverError(gettext(
                            'drop_handover.msg_bag_not_held',
                            seal=line.seal,
                            giver=act.from_location.rec_name))

    @classmethod
    @ModelView.button
    @Workflow.transition('sent')
    def send(cls, acts):
        "The giver confirms: the bags pass to the taker"
        pool = Pool()
        Bag = pool.get('drop.bag')
        Configuration = pool.get('drop.handover.configuration')
        Line = pool.get('drop.handover.line')
        cls._check_custody(acts)
        sequence = Configuration(1).sequence
        signature = cls.signature('sent')
        lines, bags, froms, tos = [], [], [], []
        for act in acts:
            if not act.number:
                act.number = sequence.get()
            for field, value in signature.items():
                setattr(act, field, value)
            for line in act.lines:
                lines.append(line)
                bags.append(line.bag)
                froms.append(act.from_location)
                tos.append(act.to_location)
        # the button checked the access; the act is not edited by hand
        with without_check_access():
            cls.save(acts)
            moves = Bag.move_custody(bags, froms, tos, origins=lines)
            for line, move in zip(lines, moves):
                line.move = move
            Line.save(lines)
            cls._follow_sent(acts, bags)

    @classmethod
    def _follow_sent(cls, acts, bags):
        "The bags' state follows them: off to the factory, or back"
        Bag = Pool().get('drop.bag')
        Bag.transit([b for b in bags if b.state == 'accepted'])
        Bag.return_([b for b in bags if b.state in Bag.returnable_states()])

    @classmethod
    @ModelView.button
    @Workflow.transition('done')
    def confirm(cls, acts):
        "The taker confirms the bags are in hand"
        pool = Pool()
        Bag = pool.get('drop.bag')
        Line = pool.get('drop.handover.line')
        web_user = Transaction().context.get('web_user')
        for act in acts:
            if web_user and not act.taken_by(web_user):
                raise HandoverError(gettext(
                        'drop_handover.msg_not_taker', act=act.rec_name))
        signature = cls.signature('done')
        for act in acts:
            for field, value in signature.items():
                setattr(act, field, value)
        with without_check_access():
            cls.save(acts)
            Line.write([l for a in acts for l in a.lines], {'open': False})
            at_point = [l.bag for a in acts for l in a.lines
                if a.to_point and l.bag and l.outcome != 'missing'
                and l.bag.state == 'returning']
            Bag.arrive(at_point)

    @classmethod
    @ModelView.button_action('drop_handover.wizard_take')
    def take_over(cls, acts):
        pass

    @classmethod
    def take(cls, act, missing=(), broken=(), extra=(), seals=()):
        """The taker confirms the act, with what differs from it: the bags
        that did not come, those whose seal is broken and those that came
        without being on it (as bags, or their seals typed).  Each
        difference is a discrepancy of the bag; a missing bag stays with the
        giver.  A bag not on the act moves to the taker only if the giver
        holds it: any other seal is recorded on the act, nothing moves."""
        pool = Pool()
        Bag = pool.get('drop.bag')
        Discrepancy = pool.get('drop.bag.discrepancy')
        Line = pool.get('drop.handover.line')
        # a second submit of the same confirmation waits here, then sees it
        cls.lock([act])
        act = cls(act.id)
        if act.state != 'sent':
            raise HandoverError(gettext(
                    'drop_handover.msg_act_not_sent', act=act.rec_name,
                    state=act.state_string))
        web_user = Transaction().context.get('web_user')
        if web_user and not act.taken_by(web_user):
            raise HandoverError(gettext(
                    'drop_handover.msg_not_taker', act=act.rec_name))
        on_act = {l.bag: l for l in act.lines}
        missing, broken = set(missing), set(broken)
        for bag in missing | broken:
            if bag not in on_act:
                raise HandoverError(gettext(
                        'drop_handover.msg_bag_not_on_act', seal=bag.seal,
                        act=act.rec_name))
        if missing & broken:
            raise HandoverError(gettext(
                    'drop_handover.msg_bag_missing_and_broken',
                    seal=min(missing & broken).seal))
        with without_check_access():
            extra, strays = cls._sort_extra(act, extra, seals)
            changed = []
            for bag in missing:
                on_act[bag].outcome = 'missing'
                changed.append(on_act[bag])
            for bag in broken:
                on_act[bag].outcome = 'seal_broken'
                changed.append(on_act[bag])
            added = [Line(handover=act, bag=b, outcome='extra') for b in extra]
            Line.save(changed + added + [
                    Line(handover=act, seal=s, outcome='not_held')
                    for s in strays])
            if missing:
                gone = [on_act[b] for b in missing]
                Bag.move_custody(
                    [l.bag for l in gone], [act.to_location] * len(gone),
                    [act.from_location] * len(gone), origins=gone)
            if added:
                moves = Bag.move_custody(
                    [l.bag for l in added], [act.from_location] * len(added),
                    [act.to_location] * len(added), origins=added)
                for line, move in zip(added, moves):
                    line.move = move
                Line.save(added)
                cls._follow_sent([act], [Bag(l.bag.id) for l in added])
            Discrepancy.save([Discrepancy(
                        bag=l.bag, handover_line=l,
                        seal_intact=l.outcome != 'seal_broken')
                    for l in changed + added])
        cls.confirm([cls(act.id)])
        return cls(act.id)

    @classmethod
    def _sort_extra(cls, act, bags, seals):
        """The bags not on the act that the taker may take over, given or
        found by their seal, and the seals of the others (another's bag, or
        no bag's); a text that is no seal is refused"""
        Bag = Pool().get('drop.bag')
        seals = list(dict.fromkeys(filter(None, map(normalize_seal, seals))))
        for seal in seals:
            Bag._check_seal_format(seal)
        found = {b.seal: b for b in Bag.search([
                    ('company', '=', act.company.id),
                    ('seal', 'in', seals),
                    ('state', '!=', 'cancelled'),
                    ])} if seals else {}
        on_act = {l.bag for l in act.lines}
        bags = [b for b in dict.fromkeys([*bags, *found.values()])
            if b not in on_act]
        custodians = Bag.get_custodian(bags, ['custodian'])['custodian']
        taken = [b for b in bags if act._may_take(b, custodians[b.id])]
        strays = [s for s in seals if s not in found] + [
            b.seal for b in bags if b not in taken]
        return taken, strays

    def _may_take(self, bag, custodian):
        """Whether the giver holds the bag, in a state to go the act's way
        (back to its own point, on the way back)"""
        Bag = Pool().get('drop.bag')
        return (custodian == self.from_location.id
            and bag.state in Bag.travelling_states(self.direction)
            and (self.direction != 'to_point' or not self.drop_point
                or bag.drop_point == self.drop_point))

    @property
    def to_point(self):
        "Whether the act ends at a drop point"
        return bool(self.drop_point) and self.to_location == (
            self.drop_point.location.storage_location)

    def taken_by(self, web_user):
        "Whether the portal user may confirm taking the act's bags"
        if self.courier and self.to_location == self.courier.custody_location:
            return self.courier.id == web_user
        if self.to_point:
            return any(
                s.web_user.id == web_user for s in self.drop_point.staff)
        return False

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, acts):
        pool = Pool()
        Line = pool.get('drop.handover.line')
        with without_check_access():
            Line.write([l for a in acts for l in a.lines], {'open': False})
