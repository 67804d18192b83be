# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
from trytond.modules.company.tests import CompanyTestMixin
from trytond.tests.test_tryton import ModuleTestCase


class DropCommissionTestCase(CompanyTestMixin, ModuleTestCase):
    "Test Drop Commission module"
    module = 'drop_commission'


del ModuleTestCase
