"""Packages are found, never listed: a new sub-package of nnviz cannot be left out of the wheel.

scenes/ sits at the top of the repository (the scenes are read as examples) and installs as
nnviz.scenes; everything else is in pyproject.toml.
"""
from setuptools import find_packages, setup

setup(packages=[*find_packages(include=["nnviz", "nnviz.*"]), "nnviz.scenes",
                *(f"nnviz.scenes.{name}" for name in find_packages("scenes"))],
      package_dir={"nnviz.scenes": "scenes"})
