"""The package list: the code packages found on disk plus the data packages mapped in pyproject.toml.

Everything else (metadata, dependencies, the directory mapping, package data) is in pyproject.toml; setuptools'
automatic discovery cannot see the mapped data packages, hence this file.
"""

from setuptools import find_packages, setup

SHIPPED_DATA = [
    "scoring.shipped.indicators",
    "scoring.shipped.schemas",
    "scoring.shipped.sample_inputs",
]

setup(packages=sorted({*find_packages(include=["scoring*", "service*"]), *SHIPPED_DATA}))
