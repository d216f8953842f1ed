"""The built-in scenes, installed as `nnviz.scenes`; each module uses only nnviz's public API."""
