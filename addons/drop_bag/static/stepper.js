/* This file is part of the Drop Points project.  The COPYRIGHT file at the
   top level of this repository contains the full copyright notices and
   license terms. */
/* The item count's big − and + buttons, for a thumb: each keeps the count
   within the field's min and max.  Without scripts the field stays typed. */
(function () {
    'use strict';

    function bounded(field, value) {
        const min = Number(field.min || 1);
        const max = Number(field.max || 99);
        return Math.min(max, Math.max(min, value));
    }

    for (const button of document.querySelectorAll('button.step')) {
        const field = document.getElementById(
            button.getAttribute('aria-controls'));
        button.addEventListener('click', () => {
            const current = parseInt(field.value, 10);
            const value = Number.isNaN(current)
                ? Number(field.min || 1)
                : current + Number(button.dataset.step);
            field.value = bounded(field, value);
            field.dispatchEvent(new Event('input', {bubbles: true}));
        });
        button.hidden = false;
    }
}());
