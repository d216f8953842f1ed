"""nnviz.publish"""
