/* This file is part of the Drop Points project.  The COPYRIGHT file at the
   top level of this repository contains the full copyright notices and
   license terms. */
/* "Send the code again" waits as long as the server would refuse it, and
   counts the seconds down on the button. */
(function () {
    'use strict';

    const button = document.getElementById('resend');
    let left = button ? parseInt(button.dataset.wait, 10) || 0 : 0;
    if (left <= 0) {
        return;
    }
    const label = button.textContent;
    function tick() {
        if (left <= 0) {
            button.disabled = false;
            button.textContent = label;
            return;
        }
        button.disabled = true;
        button.textContent = `${label} (${left})`;
        left -= 1;
        window.setTimeout(tick, 1000);
    }
    tick();
}());
