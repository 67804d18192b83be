# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
"""The fuzzer's inputs as hypothesis strategies: garbage, near-valid values
by form field name (NEAR) and the valid value of a field for the signed-in
actor (VALID).  A strategy that needs the database's values takes `known`
(Fuzzer.known): its ids, tokens, codes and each actor's own records."""
import base64
import io
import uuid
import zlib

from hypothesis import strategies as st
from PIL import Image

from trytond.modules.drop_point import demo

# a portal account of no point, whose login the fuzzer tries: the actors'
# own accounts stay unlocked
LOGIN = 'fuzz.login@demo.example'
# the phone of the codes verified for the fuzzer's intakes
VERIFIED = '+79125550000'
PHONES = [VERIFIED, '+79120000101', '+79120000104', '+79160000001',
    '+79126661234', '8 912 000-01-01', '+7 (912) 000 01 06', '79123456789']
SEALS = ['PL100201', 'PL100203', 'PL200101', 'PL300101', 'pl-100 201',
    'AB123456', 'ZZ000000']
WEIRD = ['', ' ', '\x00', 'a\x00b', '0', '-1', '1.5', '1e309', 'NaN',
    'sNaN', 'Infinity', '-0', '9' * 40, 'None', 'null', 'true', '[]', '{}',
    '%00', '%s', '{0}', '²', '\r\nSet-Cookie: a=b', '<script>',
    "'; DROP TABLE drop_bag; --", '../../', '\u202e', '\ufeff',
    '\U0001f600', '١٢٣', 'Ⅻ', '\r\n', '\t']
# code points that a form can carry (no lone surrogates)
TEXT = st.text(
    st.characters(blacklist_categories=('Cs',)), max_size=40)
# what a header may carry
LATIN1 = st.text(st.characters(
        max_codepoint=255, blacklist_characters='\r\n'), max_size=80)


def garbage(longest=20000):
    """Values no form expects: unicode, long (up to that many repeats of a
    few characters), NULs, numbers, symbols"""
    long = st.builds(
        lambda part, times: part * times,
        st.text(st.characters(blacklist_categories=('Cs',)), min_size=1,
            max_size=4), st.integers(longest // 10, longest))
    return st.one_of(
        TEXT, st.sampled_from(WEIRD), long,
        st.integers().map(str), st.floats().map(str),
        st.binary(max_size=30).map(lambda b: b.decode('latin-1')))


def png(width, height, strokes):
    "A PNG of that size, with a dark stroke or blank"
    image = Image.new('RGBA', (width, height), (255, 255, 255, 0))
    if strokes:
        for x in range(0, width, 2):
            image.putpixel((x, height // 2), (0, 0, 0, 255))
    data = io.BytesIO()
    image.save(data, 'PNG')
    return data.getvalue()


def bomb(width, height):
    "A PNG header that announces a huge image, with almost no data"
    head = png(1, 1, False)
    ihdr = head.index(b'IHDR')
    chunk = (b'IHDR' + width.to_bytes(4, 'big') + height.to_bytes(4, 'big')
        + head[ihdr + 12:ihdr + 17])
    crc = zlib.crc32(chunk).to_bytes(4, 'big')
    return head[:ihdr] + chunk + crc + head[ihdr + 21:]


def data_url(content):
    return 'data:image/png;base64,' + base64.b64encode(content).decode()


SIGNATURES = st.one_of(
    st.builds(png, st.integers(1, 400), st.integers(1, 200), st.booleans()
        ).map(data_url),
    st.builds(bomb, st.integers(1, 2 ** 31 - 1), st.integers(1, 2 ** 31 - 1)
        ).map(data_url),
    st.binary(max_size=200).map(data_url),
    st.sampled_from(['data:image/png;base64,', 'data:image/png;base64,!!',
            'data:image/gif;base64,R0lGODlhAQABAAAAACw=']))


NEAR = {
    'phone': st.one_of(st.sampled_from(PHONES), st.from_regex(
            r'(\+7|8|7)? ?\(?9\d\d\)? ?\d{3}[- ]?\d\d[- ]?\d\d',
            fullmatch=True)),
    'code': st.one_of(st.from_regex(r'\d{6}', fullmatch=True),
        st.from_regex(r'\s*\d{1,8}\s*', fullmatch=True)),
    'seal': st.one_of(st.sampled_from(SEALS), st.from_regex(
            r'[A-Za-z]{2}[- ]?\d{3} ?\d{3}', fullmatch=True)),
    'extra': st.sampled_from(SEALS + [', '.join(SEALS)]),
    'query': st.one_of(st.sampled_from(SEALS + ['0101', ' 0104 ', '01-04']),
        st.from_regex(r'\d{4}', fullmatch=True)),
    'item_count': st.one_of(st.integers(-5, 2 ** 70).map(str),
        st.sampled_from(['1', '2', ' 3 ', '1.5', '1e3', '٣'])),
    'verification': lambda known: st.one_of(
        st.sampled_from(known['verification'] or [1]).map(str),
        st.integers(-2 ** 70, 2 ** 70).map(str)),
    'request_id': st.one_of(st.uuids().map(lambda u: u.hex),
        st.just(uuid.UUID(int=1).hex)),
    'comment': TEXT,
    'bag': lambda known: st.one_of(st.sampled_from(known['bag']).map(str),
        st.integers(-1, 2 ** 70).map(str)),
    'present': lambda known: st.sampled_from(known['bag']).map(str),
    'broken': lambda known: st.sampled_from(known['bag']).map(str),
    'courier': lambda known: st.one_of(
        st.sampled_from(known['web_user']).map(str),
        st.integers(0, 2 ** 70).map(str)),
    'destination': lambda known: st.one_of(
        st.builds('{}-{}'.format, st.sampled_from(['point', 'factory', 'x']),
            st.sampled_from(known['point'] + known['location'] + [0, -1,
                    2 ** 64]))),
    'method': st.sampled_from(['cash', 'card', 'online', '']),
    'signature': SIGNATURES,
    'card': st.one_of(st.sampled_from(['4242 4242 4242 4242',
                '4000000000000002', '4000-0000-0000-9995',
                '4242424242424241']),
        st.from_regex(r'\d{16}', fullmatch=True)),
    'expiry': st.one_of(st.sampled_from(['12/30', '01/20', '13/99', '0/30',
                '12 / 99', '99/99']), st.from_regex(r'\d{1,2}/\d{2}',
            fullmatch=True)),
    'cvc': st.from_regex(r'\s*\d{2,4}\s*', fullmatch=True),
    'amount': st.one_of(st.decimals(allow_nan=True).map(str),
        st.sampled_from(['NaN', 'sNaN', 'Infinity', '1e999999999', '0',
                '2400.00', '-1'])),
    'currency': st.sampled_from(['RUB', 'USD', 'rub', '']),
    'return': lambda known: st.one_of(st.sampled_from(
            [f'{known["root"]}/bag/{t}' for t in known['tokens']]
            + ['http://evil.example/', '//evil.example', '/bag/../../portal']),
        garbage().map(lambda t: f'{known["root"]}/bag/{t}')),
    'email': st.one_of(st.sampled_from([LOGIN, LOGIN.upper()]),
        st.emails().map(str)),
    'password': st.sampled_from([demo.PASSWORD, demo.PASSWORD + 'x', '']),
    'lang': st.sampled_from(['ru', 'en', 'de', '']),
    'next': lambda known: st.one_of(st.sampled_from(
            [f'{known["root"]}/portal/', 'http://evil.example/', '//evil']),
        garbage().map(lambda t: f'{known["root"]}/portal/{t}')),
    }


def _own(kind, cast=str):
    "A valid value: one of the actor's own records"
    def strategy(known, actor):
        own = known['own'].get(actor, {}).get(kind) or known.get(kind) or [0]
        return st.sampled_from(own).map(cast)
    return strategy


# the valid value of a field, for the actor (known: Fuzzer.known)
VALID = {
    'phone': lambda known, actor: st.just(VERIFIED),
    'verification': lambda known, actor: st.sampled_from(
        known['verified'].get(actor) or [0]).map(str),
    'seal': lambda known, actor: st.from_regex(
        r'[A-Z]{2}\d{6}', fullmatch=True),
    'item_count': lambda known, actor: st.integers(1, 5).map(str),
    'comment': lambda known, actor: TEXT,
    'request_id': lambda known, actor: st.uuids().map(lambda u: u.hex),
    'code': lambda known, actor: st.from_regex(r'\d{6}', fullmatch=True),
    'bag': _own('bag'),
    'present': _own('bag'),
    'broken': _own('bag'),
    'extra': _own('seal'),
    'query': _own('seal'),
    'courier': lambda known, actor: st.sampled_from(known['courier']).map(
        str),
    'destination': lambda known, actor: st.sampled_from(
        [f'factory-{w}' for w in known['factory']]
        + [f'point-{p}' for p in known['point']]),
    'method': lambda known, actor: st.sampled_from(['cash', 'card']),
    'signature': lambda known, actor: st.builds(
        png, st.integers(100, 600), st.integers(50, 220), st.just(True)
        ).map(data_url),
    'card': lambda known, actor: st.sampled_from(
        ['4242 4242 4242 4242', '4000 0000 0000 0002']),
    'expiry': lambda known, actor: st.just('12/30'),
    'cvc': lambda known, actor: st.just('123'),
    'amount': lambda known, actor: st.sampled_from(known['amounts'] or ['1']),
    'currency': lambda known, actor: st.just('RUB'),
    'return': lambda known, actor: st.sampled_from(
        [f'{known["root"]}/bag/{t}' for t in known['tokens']]),
    'email': lambda known, actor: st.just(LOGIN),
    'password': lambda known, actor: st.just(demo.PASSWORD),
    'lang': lambda known, actor: st.sampled_from(['ru', 'en']),
    'next': lambda known, actor: st.just(f'{known["root"]}/portal/'),
    }
