/* This file is part of the Drop Points project.  The COPYRIGHT file at the
   top level of this repository contains the full copyright notices and
   license terms. */
/* The customer signs with a finger on the clerk's screen: the strokes go
   with the form as a PNG. */
(function () {
    'use strict';
    var pad = document.getElementById('pad');
    var form = document.getElementById('handwriting-form');
    if (!pad || !form) {
        return;
    }
    var context = pad.getContext('2d');
    var drawing = false;

    function clear() {
        context.fillStyle = '#fff';
        context.fillRect(0, 0, pad.width, pad.height);
        context.strokeStyle = '#0b1f3a';
        context.lineWidth = 4;
        context.lineCap = context.lineJoin = 'round';
    }

    function point(event) {
        var box = pad.getBoundingClientRect();
        return [
            (event.clientX - box.left) * pad.width / box.width,
            (event.clientY - box.top) * pad.height / box.height];
    }

    pad.addEventListener('pointerdown', function (event) {
        drawing = true;
        pad.setPointerCapture(event.pointerId);
        var p = point(event);
        context.beginPath();
        context.moveTo(p[0], p[1]);
        event.preventDefault();
    });
    pad.addEventListener('pointermove', function (event) {
        if (!drawing) {
            return;
        }
        var p = point(event);
        context.lineTo(p[0], p[1]);
        context.stroke();
        event.preventDefault();
    });
    ['pointerup', 'pointercancel', 'pointerleave'].forEach(function (name) {
        pad.addEventListener(name, function () {
            drawing = false;
        });
    });
    document.getElementById('pad-clear').addEventListener('click', clear);
    form.addEventListener('submit', function () {
        document.getElementById('signature').value = pad.toDataURL(
            'image/png');
    });
    clear();
}());
