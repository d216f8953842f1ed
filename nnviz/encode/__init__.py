"""nnviz.encode"""
