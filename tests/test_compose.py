# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
"""Check docker/compose.yml, docker/Dockerfile and config/production.conf
without a Docker engine: parse them and check what they say and refer to."""
import configparser
import json
import os
import pathlib
import posixpath
import re
import shlex
import subprocess
import sys
import unittest
from urllib.parse import urlsplit

import yaml

ROOT = pathlib.Path(__file__).resolve().parents[1]
COMPOSE = ROOT / 'docker' / 'compose.yml'
CONFIG = ROOT / 'config' / 'production.conf'
TRYTOND_SERVICES = {'trytond', 'cron', 'worker', 'init'}


def interpolate(value):
    "Compose's ${VAR:-default} interpolation, with no variable set"
    def replace(match):
        if match.group(0) == '$$':
            return '$'
        operator, default = match.group(2) or '', match.group(3) or ''
        if '?' in operator:
            raise ValueError(f"{match.group(1)} is required")
        return default
    return re.sub(
        r'\$\$|\$\{(\w+)(?:(:?[-?])([^}]*))?\}', replace, str(value))


def environment(service):
    env = service.get('environment') or {}
    if isinstance(env, list):
        env = dict(item.split('=', 1) for item in env)
    return {key: interpolate(value) for key, value in env.items()
        if value is not None}


def argv(command):
    if isinstance(command, str):
        return shlex.split(command)
    return list(command or [])


def dockerfile_instructions(path):
    "The (INSTRUCTION, arguments) of a Dockerfile"
    instructions, line = [], ''
    for raw in path.read_text(encoding='utf-8').splitlines():
        if raw.strip().startswith('#'):
            continue
        if raw.rstrip().endswith('\\'):
            line += raw.rstrip()[:-1] + ' '
            continue
        line += raw
        if line.strip():
            keyword, _, arguments = line.strip().partition(' ')
            instructions.append((keyword.upper(), arguments.strip()))
        line = ''
    return instructions


def instruction_argv(arguments):
    "The arguments of an instruction in exec (JSON) or shell form"
    if arguments.startswith('['):
        return json.loads(arguments)
    return ['/bin/sh', '-c', arguments]


class ComposeTestCase(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        with COMPOSE.open(encoding='utf-8') as file:
            cls.compose = yaml.safe_load(file)
        cls.services = cls.compose.get('services') or {}
        cls.config = configparser.ConfigParser(interpolation=None)
        cls.config.read_string(CONFIG.read_text(encoding='utf-8'))

    def build(self, name):
        "The build context and Dockerfile of a service"
        build = self.services[name].get('build')
        self.assertIsNotNone(build, f"{name} has no build")
        if isinstance(build, str):
            build = {'context': build}
        context = (COMPOSE.parent / build.get('context', '.')).resolve()
        return context, context / build.get('dockerfile', 'Dockerfile')

    def image(self):
        "The instructions of the trytond image and what COPY puts where"
        context, dockerfile = self.build('trytond')
        instructions = dockerfile_instructions(dockerfile)
        workdir, copies = '/', []  # (image path, repository path)
        for keyword, arguments in instructions:
            if keyword == 'WORKDIR':
                workdir = posixpath.join(workdir, arguments)
            elif keyword in {'COPY', 'ADD'}:
                words = (json.loads(arguments) if arguments.startswith('[')
                    else shlex.split(arguments))
                if any(w.startswith('--from') for w in words):
                    continue
                words = [w for w in words if not w.startswith('--')]
                *sources, target = words
                target = posixpath.join(workdir, target)
                for source in sources:
                    path = context / source
                    if (target.endswith('/') or len(sources) > 1) \
                            and not path.is_dir():
                        target_path = posixpath.join(target, path.name)
                    else:
                        target_path = target
                    copies.append((posixpath.normpath(target_path), path))
        return instructions, copies

    def in_repository(self, image_path, copies):
        "The repository file copied to image_path, or None"
        image_path = posixpath.normpath(image_path)
        for target, source in copies:
            if image_path == target:
                return source
            if source.is_dir() and image_path.startswith(target + '/'):
                return source / posixpath.relpath(image_path, target)
        return None

    def launch(self, name):
        "The command line of a service, from compose or from the image"
        service = self.services[name]
        entrypoint = argv(service.get('entrypoint'))
        command = argv(service.get('command'))
        if not (entrypoint or command):
            for keyword, arguments in self.image()[0]:
                if keyword == 'ENTRYPOINT':
                    entrypoint = instruction_argv(arguments)
                elif keyword == 'CMD':
                    command = instruction_argv(arguments)
        return entrypoint + command

    def test_services(self):
        "All the services are there"
        self.assertLessEqual(
            {'postgres'} | TRYTOND_SERVICES, set(self.services))

    def test_trytond_image(self):
        "The trytond services run the image built from the Dockerfile"
        images = {self.services[name].get('image') for name in
            TRYTOND_SERVICES}
        self.assertEqual(len(images), 1, images)
        for name in TRYTOND_SERVICES:
            if self.services[name].get('build'):
                self.assertEqual(
                    self.build(name), self.build('trytond'), name)

    def test_trytond_wsgi_workers(self):
        "trytond runs trytond's WSGI application in gunicorn, several workers"
        line = ' '.join(self.launch('trytond'))
        # a script copied into the image and run: read it too
        for target, source in self.image()[1]:
            if source.is_file() and posixpath.basename(target) in line:
                line += '\n' + source.read_text(encoding='utf-8')
        self.assertRegex(line, r'\bgunicorn\b')
        self.assertIn('trytond.application:app', line)
        match = re.search(
            r'(?:--workers|-w)[= ]+"?(\d+|\$\{WEB_WORKERS(?::-(\d+))?\}'
            r'|\$WEB_WORKERS)', line)
        self.assertTrue(match, f"no --workers in {line!r}")
        if match.group(1).isdigit():
            workers = match.group(1)
        else:
            workers = environment(self.services['trytond']).get(
                'WEB_WORKERS', match.group(2))
        self.assertIsNotNone(workers, "WEB_WORKERS is not set")
        self.assertGreaterEqual(int(workers), 2)

        bind = re.search(r'(?:--bind|-b)[= ]+"?[\w.]*:(\d+)', line)
        self.assertTrue(bind, f"no --bind in {line!r}")
        published = {str(port).rsplit(':', 1)[-1]
            for port in self.services['trytond'].get('ports', [])}
        self.assertIn(bind.group(1), published)

    def test_cron(self):
        "cron runs trytond-cron"
        self.assertEqual(argv(self.services['cron'].get('command'))[0],
            'trytond-cron')

    def test_worker(self):
        "worker runs trytond-worker"
        self.assertEqual(argv(self.services['worker'].get('command'))[0],
            'trytond-worker')

    def test_init(self):
        "init sets the database up once, with the admin password from a file"
        init = self.services['init']
        command = argv(init.get('command'))
        self.assertEqual(command[0], 'trytond-admin')
        self.assertIn('drop_point', command[command.index('-u') + 1:])
        self.assertEqual(str(init.get('restart')), 'no')
        self.assertEqual(
            init['depends_on']['postgres']['condition'], 'service_healthy')
        passfile = environment(init)['TRYTONPASSFILE']
        secrets = [s if isinstance(s, str) else s['source']
            for s in init.get('secrets', [])]
        self.assertIn(posixpath.basename(passfile), secrets)
        self.assertEqual(posixpath.dirname(passfile), '/run/secrets')
        for name in ['trytond', 'cron', 'worker']:
            self.assertEqual(
                self.services[name]['depends_on']['init']['condition'],
                'service_completed_successfully', name)

    def test_one_database(self):
        "Every service works on the database that postgres creates"
        database = environment(self.services['postgres'])['POSTGRES_DB']
        for name in ['cron', 'worker', 'init']:
            command = argv(self.services[name].get('command'))
            self.assertEqual(command[command.index('-d') + 1], database, name)
        self.assertEqual(environment(self.services['trytond'])[
                'TRYTOND_DATABASE_NAMES'], database)

    def test_database_uri(self):
        "Every trytond service reaches the postgres service"
        postgres = environment(self.services['postgres'])
        for name, service in self.services.items():
            if name == 'postgres' or not (
                    service.get('build') or service.get('image')
                    == self.services['trytond'].get('image')):
                continue
            uri = urlsplit(environment(service)['TRYTOND_DATABASE_URI'])
            self.assertEqual(uri.scheme, 'postgresql', name)
            self.assertEqual(uri.hostname, 'postgres', name)
            self.assertIn(uri.port, {None, 5432}, name)
            self.assertEqual(uri.username, postgres['POSTGRES_USER'], name)
            self.assertEqual(
                uri.password, postgres['POSTGRES_PASSWORD'], name)

    def test_postgres(self):
        "postgres keeps its data in a volume and reports when it is ready"
        postgres = self.services['postgres']
        self.assertIn('postgres', postgres['image'])
        self.assertIn('pg_isready', ' '.join(
            argv(postgres['healthcheck']['test'])))
        volumes = [v.split(':') for v in postgres.get('volumes', [])]
        self.assertIn('/var/lib/postgresql/data', [v[1] for v in volumes])
        for source, _ in volumes:
            self.assertIn(source, self.compose.get('volumes') or {})

    def test_referenced_files_exist(self):
        "The files compose and the Dockerfile refer to are in the repository"
        for name, service in self.services.items():
            if service.get('build'):
                context, dockerfile = self.build(name)
                self.assertTrue(context.is_dir(), context)
                self.assertTrue(dockerfile.is_file(), dockerfile)
            for env_file in argv(service.get('env_file')):
                self.assertTrue((COMPOSE.parent / env_file).is_file())
            for volume in service.get('volumes', []):
                source = volume.split(':')[0]
                if source.startswith(('.', '/')):
                    self.assertTrue((COMPOSE.parent / source).exists())
                else:
                    self.assertIn(source, self.compose.get('volumes') or {})
        for secret in (self.compose.get('secrets') or {}).values():
            if 'file' in secret:
                self.assertTrue((COMPOSE.parent / secret['file']).is_file())

        copies = self.image()[1]
        self.assertTrue(copies)
        for _, source in copies:
            self.assertTrue(source.exists(), source)
            self.assertTrue(source.resolve().is_relative_to(ROOT), source)

    def test_requirements_in_image(self):
        "pip in the image finds requirements.txt and the project's modules"
        instructions, copies = self.image()
        workdir = '/'
        for keyword, arguments in instructions:
            if keyword == 'WORKDIR':
                workdir = posixpath.join(workdir, arguments)
            elif keyword == 'RUN' and 'pip install' in arguments:
                match = re.search(r'-r\s+(\S+)', arguments)
                break
        else:
            self.fail("no pip install")
        requirements = self.in_repository(
            posixpath.join(workdir, match.group(1)), copies)
        self.assertEqual(requirements, ROOT / 'requirements.txt')
        local = [line.split('#')[0].strip() for line in
            requirements.read_text(encoding='utf-8').splitlines()
            if line.strip().startswith('.')]
        self.assertTrue(local)
        for path in local:
            source = self.in_repository(posixpath.join(workdir, path), copies)
            self.assertIsNotNone(source, f"{path} is not in the image")
            self.assertTrue(source.is_dir(), source)

    def test_configuration_in_image(self):
        "TRYTOND_CONFIG of the image is config/production.conf"
        instructions, copies = self.image()
        config = [a for k, a in instructions if k == 'ENV'
            and 'TRYTOND_CONFIG=' in a]
        self.assertTrue(config)
        path = re.search(r'TRYTOND_CONFIG=(\S+)', config[-1]).group(1)
        self.assertEqual(self.in_repository(path, copies), CONFIG)

    def test_configuration(self):
        "config/production.conf: queue worker, files in a volume, web client"
        self.assertTrue(self.config.getboolean('queue', 'worker'))
        self.assertFalse(self.config.has_option('database', 'uri'),
            "it would take precedence over TRYTOND_DATABASE_URI")
        path = self.config.get('database', 'path')
        for name in TRYTOND_SERVICES:
            targets = [v.split(':')[1] for v in
                self.services[name].get('volumes', [])]
            self.assertIn(path, targets, name)
        dockerfile = self.build('trytond')[1].read_text(encoding='utf-8')
        self.assertIn(self.config.get('web', 'root'), dockerfile)

        development = configparser.ConfigParser(interpolation=None)
        development.read(ROOT / 'trytond.conf', encoding='utf-8')
        for section in ['session', 'wsgi middleware']:
            self.assertEqual(
                dict(self.config[section]), dict(development[section]),
                section)

    def test_trytond_reads_configuration(self):
        "trytond itself reads the database URI from the environment"
        uri = environment(self.services['trytond'])['TRYTOND_DATABASE_URI']
        env = dict(os.environ, TRYTOND_CONFIG=str(CONFIG),
            TRYTOND_DATABASE_URI=uri)
        code = ("from trytond import config; "
            "print(config.get('database', 'uri')); "
            "print(config.getboolean('queue', 'worker'))")
        result = subprocess.run([sys.executable, '-c', code], env=env,
            capture_output=True, text=True, check=True)
        self.assertEqual(result.stdout.split(), [uri, 'True'])


if __name__ == '__main__':
    unittest.main()
