"""The package list, which pyproject.toml alone cannot give.

setuptools either finds packages or takes a list; it cannot find ``explorer``'s own and add the data
folders that ``[tool.setuptools.package-dir]`` maps in from the repository's top level. So the list is
made here: every ``explorer`` package found, plus each mapped one. Everything else is in pyproject.toml.
"""

import tomllib

from setuptools import find_packages, setup

with open("pyproject.toml", "rb") as handle:
    MAPPED = tomllib.load(handle)["tool"]["setuptools"]["package-dir"]

setup(packages=find_packages(include=["explorer", "explorer.*"]) + sorted(MAPPED))
