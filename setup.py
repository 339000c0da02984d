"""Maps the plugin folders at the top of the repository (datasets/, metrics/, submissions/ — the design
card's layout) into the brainbench namespace, so that installing brainbench adds no top-level
`datasets` or `metrics` module that would shadow Hugging Face `datasets` and friends."""
from setuptools import find_packages, setup

PLUGIN_FOLDERS = ("datasets", "metrics", "submissions")

packages = find_packages(include=["brainbench", "brainbench.*"])
package_dir = {"brainbench": "brainbench"}
for folder in PLUGIN_FOLDERS:
    package_dir[f"brainbench.{folder}"] = folder
    packages.append(f"brainbench.{folder}")
    packages += [f"brainbench.{folder}.{sub}" for sub in find_packages(where=folder)]

setup(packages=packages, package_dir=package_dir)
