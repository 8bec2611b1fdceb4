"""The strict YAML reader of config files.

Safe loading only; a duplicate key is an error; every mapping remembers where
each key was written, so that errors name ``file:line:column``. Errors raise
``tfcourse.errors.UsageError`` (exit code 2).
"""

import os

import yaml

from tfcourse.errors import UsageError


class _Mapping(dict):
    """A dict that remembers where each key was written (``marks``)."""

    def __init__(self):
        super(_Mapping, self).__init__()
        self.marks = {}


class _StrictLoader(yaml.SafeLoader):
    """Safe YAML loader that rejects duplicate keys and keeps key positions."""


def _construct_mapping(loader, node):
    loader.flatten_mapping(node)
    mapping = _Mapping()
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        where = position(loader.name, key_node.start_mark)
        if not isinstance(key, str):
            raise UsageError("{}: key {!r} must be a string".format(where, key))
        if key in mapping:
            raise UsageError("{}: duplicate key '{}' (first given at line {})".format(
                where, key, mapping.marks[key].line + 1))
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.marks[key] = key_node.start_mark
    return mapping


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def position(path, mark):
    """``path:line:column`` of a YAML mark (1-based, as editors count)."""
    return "{}:{}:{}".format(path, mark.line + 1, mark.column + 1)


def read_yaml(path):
    """Reads a YAML config file into a mapping with key positions.

    Args:
        path: file path (str).

    Returns:
        a dict (``_Mapping``) whose ``marks`` give each key's position.

    Raises:
        UsageError: the file is missing, unreadable, not valid YAML, uses a
            tag that safe loading refuses, or is not a mapping.
    """
    if os.path.isdir(path):
        raise UsageError("config {}: is a directory, expected a YAML file".format(path))
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
    except OSError as err:
        raise UsageError("config {}: cannot read: {}".format(path, err.strerror or err))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise UsageError("config {}: not UTF-8 text (byte {})".format(path, err.start))
    loader = _StrictLoader(text)
    loader.name = path
    try:
        document = loader.get_single_data()
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        where = position(path, mark) if mark else path
        raise UsageError("{}: invalid YAML: {}".format(where, err.problem or err.context))
    except yaml.YAMLError as err:
        raise UsageError("{}: invalid YAML: {}".format(path, err))
    finally:
        loader.dispose()
    if document is None:
        document = _Mapping()
    if not isinstance(document, dict):
        raise UsageError("{}: expected a mapping of config keys at the top level, got {}".format(
            path, _type_name(document)))
    return document


def _type_name(value):
    names = {bool: "a boolean", int: "an integer", float: "a number", str: "a string",
             list: "a list"}
    return names.get(type(value), type(value).__name__)
