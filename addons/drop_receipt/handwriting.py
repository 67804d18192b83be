# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
"""The customer's signature drawn on the clerk's screen at the issue: a PNG
of the strokes, checked to be one and not blank, kept as an attachment of
the bag."""
import base64
import binascii
import io

from PIL import Image, UnidentifiedImageError

from trytond.i18n import gettext
from trytond.pool import Pool

from .exceptions import OrderError

PREFIX = 'data:image/png;base64,'
MAX_SIZE = 300 * 1024
# the strokes must cover at least this much of the box, in pixels
MIN_WIDTH, MIN_HEIGHT = 40, 10
# far more than the screen's pad: a few bytes of PNG may announce a huge
# image that would fill the memory once decoded
MAX_PIXELS = 4000 * 2000


def decode(data_url):
    """The PNG of a drawn signature sent as a data URL; raise OrderError
    when it is not a PNG or nothing was drawn"""
    data_url = data_url or ''
    if not data_url.startswith(PREFIX) or len(data_url) > MAX_SIZE * 4 // 3:
        raise OrderError(gettext('drop_receipt.msg_handwriting_empty'))
    try:
        content = base64.b64decode(data_url[len(PREFIX):], validate=True)
        with Image.open(io.BytesIO(content)) as image:
            if (image.format != 'PNG'
                    or image.width * image.height > MAX_PIXELS):
                raise OrderError(
                    gettext('drop_receipt.msg_handwriting_empty'))
            # the strokes: what is darker than the paper
            paper = Image.new('RGBA', image.size, 'white')
            grey = Image.alpha_composite(
                paper, image.convert('RGBA')).convert('L')
            box = Image.eval(grey, lambda v: 255 if v < 160 else 0).getbbox()
    except (binascii.Error, ValueError, UnidentifiedImageError, OSError,
            Image.DecompressionBombError):
        raise OrderError(gettext('drop_receipt.msg_handwriting_empty'))
    if (not box or box[2] - box[0] < MIN_WIDTH
            or box[3] - box[1] < MIN_HEIGHT):
        raise OrderError(gettext('drop_receipt.msg_handwriting_empty'))
    return content


def attach(bag, content):
    "Keep the signature with the bag"
    Attachment = Pool().get('ir.attachment')
    attachment = Attachment(
        resource=bag, type='data', data=content,
        name=gettext('drop_receipt.msg_handwriting_name', seal=bag.seal))
    attachment.save()
    return attachment
