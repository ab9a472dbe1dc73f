"""Packaging for abdoseg. Every setting lives in settings.ini (nbdev 2's layout); edit it there."""
from configparser import ConfigParser
from pathlib import Path
import shlex
import setuptools

cfg = ConfigParser(delimiters=['='])
cfg.read(Path(__file__).parent / 'settings.ini', encoding='utf-8')
cfg = cfg['DEFAULT']

def _list(key): return shlex.split(cfg.get(key, ''))

statuses = ['1 - Planning', '2 - Pre-Alpha', '3 - Alpha', '4 - Beta', '5 - Production/Stable']

setuptools.setup(
    name=cfg['lib_name'],
    version=cfg['version'],
    description=cfg['description'],
    keywords=cfg['keywords'],
    author=cfg['author'],
    author_email=cfg['author_email'],
    license='Apache-2.0',
    url=cfg['git_url'],
    classifiers=[
        'Development Status :: ' + statuses[int(cfg['status']) - 1],
        'Intended Audience :: ' + cfg['audience'].title(),
        'License :: OSI Approved :: Apache Software License',
        'Natural Language :: ' + cfg['language'].title(),
        'Programming Language :: Python :: 3',
        'Topic :: Scientific/Engineering :: Medical Science Apps.',
    ],
    packages=setuptools.find_packages(include=['abdoseg', 'abdoseg.*']),
    include_package_data=True,
    install_requires=_list('requirements'),
    extras_require={'dev': _list('dev_requirements')},
    python_requires='>=' + cfg['min_python'],
    long_description=(Path(__file__).parent / 'README.md').read_text(encoding='utf-8'),
    long_description_content_type='text/markdown',
    zip_safe=False,
    entry_points={
        'console_scripts': _list('console_scripts'),
        'nbdev': [f"{cfg['lib_path']}={cfg['lib_path']}._modidx:d"],
    },
)
