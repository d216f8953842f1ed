"""nnviz.run"""
