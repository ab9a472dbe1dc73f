"""Sphinx settings of abdoseg's documentation site (built by .ci/docs from the processed notebooks in _proc/)."""
from configparser import ConfigParser
from pathlib import Path

_cfg = ConfigParser(delimiters=['=']); _cfg.read(Path(__file__).resolve().parents[2] / 'settings.ini'); _cfg = _cfg['DEFAULT']
project, author, copyright, release = _cfg['lib_name'], _cfg['author'], _cfg['copyright'], _cfg['version']
extensions = ['myst_nb']
nb_execution_mode = 'off'                      # the notebooks carry their outputs; the site never runs them
nb_render_markdown_format = 'myst'             # markdown outputs (tables) as MyST
myst_enable_extensions = ['colon_fence', 'dollarmath']
myst_heading_anchors = 3
html_theme = 'furo'
html_title = f"{project} {release}"
exclude_patterns = ['tests', '_build', '**.ipynb_checkpoints']
suppress_warnings = ['myst.header', 'mystnb.unknown_mime_type']
