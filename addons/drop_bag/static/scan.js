/* This file is part of the Drop Points project.  The COPYRIGHT file at the
   top level of this repository contains the full copyright notices and
   license terms. */
/* Scanning of the seal's barcode or QR code with the phone's camera, on top
   of the seal field: without a camera (or without a secure context) the page
   stays as it is, and typing is always possible.  The texts come from the
   data- attributes of #scanner, translated by the template. */
(function () {
    'use strict';

    // the server's normalize_seal: no spaces nor dashes, upper case
    function normalise(text) {
        return String(text).replace(/[\s-]/g, '').toUpperCase();
    }

    function reader() {
        return new window.ZXingBrowser.BrowserMultiFormatReader();
    }

    // resolves to the raw text of the code in the image, rejects without one
    function decodeImage(src) {
        return reader().decodeFromImageUrl(src).then(
            (result) => result.getText());
    }

    function cameraSupported() {
        return Boolean(window.ZXingBrowser && navigator.mediaDevices
            && navigator.mediaDevices.getUserMedia);
    }

    function refused(error) {
        return Boolean(error) && (error.name === 'NotAllowedError'
            || error.name === 'SecurityError');
    }

    function enhance(panel) {
        const field = document.getElementById(panel.dataset.field);
        const next = document.getElementById(panel.dataset.next);
        const start = document.getElementById('scan-start');
        const message = document.getElementById('scan-message');
        // the camera being opened or read: {controls} once it shows
        let session = null;

        function tell(text, kind) {
            message.textContent = text;
            message.className = 'scan-message ' + kind;
            message.hidden = false;
        }

        function stop() {
            if (session && session.controls) {
                session.controls.stop();
            }
            session = null;
            panel.hidden = true;
            start.hidden = false;
        }

        function found(current, result, scan) {
            const text = result && normalise(result.getText());
            if (session !== current || !text) {
                return;
            }
            scan.stop();
            stop();
            field.value = text;
            field.dispatchEvent(new Event('input', {bubbles: true}));
            tell(panel.dataset.scanned, 'ok');
            next.focus();
        }

        function failed(current, error) {
            if (session === current) {
                stop();
                tell(panel.dataset[
                    refused(error) ? 'denied' : 'unavailable'], 'error');
                field.focus();
            }
        }

        // a new <video> each time: a late camera of a closed session
        // empties only its own
        function preview() {
            const old = panel.querySelector('video');
            const video = old.cloneNode(false);
            panel.replaceChild(video, old);
            return video;
        }

        function open() {
            const current = {controls: null};
            session = current;
            message.hidden = true;
            start.hidden = true;
            panel.hidden = false;
            reader().decodeFromConstraints(
                {video: {facingMode: 'environment'}}, preview(),
                (result, error, scan) => found(current, result, scan)).then(
                (scan) => {
                    if (session === current) {
                        current.controls = scan;
                    } else {
                        scan.stop();
                    }
                },
                (error) => failed(current, error));
        }

        start.addEventListener('click', open);
        document.getElementById('scan-stop').addEventListener('click', () => {
            stop();
            field.focus();
        });
        window.addEventListener('pagehide', stop);
        start.hidden = false;
    }

    window.DropScan = {decodeImage: decodeImage, normalise: normalise};
    const panel = document.getElementById('scanner');
    if (panel && cameraSupported()) {
        enhance(panel);
    }
}());
