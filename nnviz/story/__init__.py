"""nnviz.story: the words of a video (chapters, descriptions), found in its snapshot log."""
