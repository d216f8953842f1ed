"""nnviz.log"""
