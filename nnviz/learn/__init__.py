"""nnviz.learn"""
