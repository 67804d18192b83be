# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
import os

from trytond.modules.drop_point import portal

portal.register_module('drop_receipt', os.path.dirname(__file__))
