# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
"""Numbers and amounts in words (num2words) for printed documents and
customers' pages, in the reader's language, English when num2words does not
know it."""
from num2words import num2words

from trytond.transaction import Transaction


def _languages(language):
    language = language or Transaction().language or 'en'
    return [language, language.split('_')[0]]


def in_words(number, language=None):
    "The number in words in the language (Tryton's code), else in English"
    for lang in _languages(language):
        try:
            return num2words(number, lang=lang)
        except NotImplementedError:
            # num2words has no such language: try the next, then English
            pass
    return num2words(number, lang='en')


def amount_in_words(amount, currency, language=None):
    """The amount with its currency (ISO code) in words: roubles and
    kopecks; the number alone followed by the code when num2words does not
    know the currency in the language"""
    for lang in _languages(language):
        try:
            return num2words(
                amount, lang=lang, to='currency', currency=currency)
        except NotImplementedError:
            pass
    return f'{in_words(amount, language)} {currency}'
