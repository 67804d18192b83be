# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
"""Change the [sms] options of the running configuration in tests."""
from trytond import config

_saved = []


def set_sms_options(**options):
    "Set [sms] options; the first call keeps the current ones to restore"
    if not config.has_section('sms'):
        config.add_section('sms')
    if not _saved:
        _saved.append({o: config.get('sms', o) for o in config.options('sms')})
    for option, value in options.items():
        config.set('sms', option, str(value))


def restore_sms_options():
    if not _saved:
        return
    saved = _saved.pop()
    config.remove_section('sms')
    config.add_section('sms')
    for option, value in saved.items():
        config.set('sms', option, value)


def create_message(database, phone, text=None, code=None):
    """Create a message as a module would (the text, or a one-time code's
    message), in a transaction that commits, then run its queued tasks as
    trytond does after a request"""
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    from trytond.worker import run_task

    with Transaction().start(database, 0) as transaction:
        Message = Pool().get('sms.message')
        if code:
            message = Message.prepare(
                phone, 'sms.msg_code_text', secrets={'code': code},
                minutes=10)
        else:
            message = Message(phone=phone, text=text)
        message.save()
        transaction.commit()
        tasks = list(transaction.tasks)
    for task in tasks:
        run_task(database, task)
    return message.id
