"""nnviz.draw"""
