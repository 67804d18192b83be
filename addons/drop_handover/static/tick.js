/* This file is part of the Drop Points project.  The COPYRIGHT file at the
   top level of this repository contains the full copyright notices and
   license terms. */
/* Ticking bags by their seal: typed then Enter (or the button), or read by
   the camera (scan.js fills the field).  A seal of the list ticks its bag;
   another one is refused (handing over) or kept as a bag not on the act
   (taking over).  Without JavaScript the checkboxes and the typed seal still
   reach the server, which checks them all again.  The texts come from the
   form's data- attributes, translated by the template. */
(function () {
    'use strict';

    function normalise(text) {
        return String(text).replace(/[\s-]/g, '').toUpperCase();
    }

    function format(template, values) {
        return template.replace(/\{(\w+)\}/g, (all, name) => (
            name in values ? values[name] : all));
    }

    function init() {
        const form = document.querySelector('form.tick-form');
        const field = document.getElementById('seal');
        if (!form || !field) {
            return;
        }
        const button = document.getElementById('seal-add');
        const message = document.getElementById('tick-message');
        const counter = document.getElementById('counter');
        const extra = document.getElementById('extra');
        const boxes = Array.from(form.querySelectorAll('input.present'));

        function show(text, error) {
            message.textContent = text;
            message.className = 'tick-message ' + (error ? 'error' : 'ok');
            message.hidden = false;
        }

        function count() {
            const ticked = boxes.filter((box) => box.checked).length;
            counter.textContent = format(counter.dataset.template, {
                ticked: ticked, total: counter.dataset.total});
            boxes.forEach((box) => box.closest('li').classList.toggle(
                'ticked', box.checked));
        }

        function tick() {
            const seal = normalise(field.value);
            if (!seal) {
                return;
            }
            const item = form.querySelector(
                'li[data-seal="' + CSS.escape(seal) + '"]');
            if (item) {
                const box = item.querySelector('input.present');
                show(format(box.checked ? form.dataset.again
                    : form.dataset.ticked, {seal: seal}), false);
                box.checked = true;
                count();
                item.scrollIntoView({block: 'nearest'});
            } else if (form.dataset.refuse || !extra) {
                show(format(form.dataset.notListed, {seal: seal}), true);
            } else {
                const seals = extra.value.split(/\s+/).filter(Boolean);
                if (!seals.includes(seal)) {
                    seals.push(seal);
                }
                extra.value = seals.join(' ');
                show(format(form.dataset.notListed, {seal: seal}), true);
            }
            field.value = '';
            field.focus();
        }

        field.addEventListener('keydown', (event) => {
            if (event.key === 'Enter') {
                event.preventDefault();
                tick();
            }
        });
        // the camera's reading: an input event not typed by the user
        field.addEventListener('input', (event) => {
            if (!event.isTrusted) {
                tick();
            }
        });
        button.addEventListener('click', tick);
        boxes.forEach((box) => box.addEventListener('change', count));
        count();
    }

    if (document.readyState === 'loading') {
        document.addEventListener('DOMContentLoaded', init);
    } else {
        init();
    }
}());
