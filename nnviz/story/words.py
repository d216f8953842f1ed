"""The sentences of the story, as data: one dict of templates per language (English only now).

Fields in braces are filled by nnviz.story.tell with figures formatted there (see `figures`):
{step}, {loss}, {val_loss}, {right}, {total}, {val_right}, {val_total}. A template states only
the values of the snapshot on screen while its words are shown.
"""
from __future__ import annotations

from ..settings import LANGUAGES  # noqa: F401  (checked there, for every way a value comes in)

DEFAULT = "en"

TEMPLATES: dict[str, dict[str, str]] = {
    "en": {
        # chapter titles
        "chapter.start": "The start: random weights (step {step})",
        "chapter.descent": "Fast descent (step {step})",
        "chapter.plateau": "A plateau (step {step})",
        "chapter.drop": "A sudden drop (step {step})",
        "chapter.all_right": "Every training point right (step {step})",
        "chapter.converged": "Converged (step {step})",
        "chapter.diverging": "Diverging (step {step})",
        "chapter.overfitting": "Overfitting begins (step {step})",
        "chapter.learning": "Learning (step {step})",
        "chapter.end": "The end (step {step})",
        # what happens at a moment (one sentence, said when the moment is on screen)
        "moment.start": "Training starts from random weights.",
        "moment.descent": "The loss starts to fall fast.",
        "moment.plateau": "The loss stops falling: a plateau.",
        "moment.drop": "The loss drops suddenly.",
        "moment.all_right": "Now every training point is on the right side of the boundary.",
        "moment.converged": "The loss has settled: training has converged.",
        "moment.diverging": "The loss is rising: training is diverging.",
        "moment.overfitting": ("The validation loss starts to rise while the training loss "
                               "falls: the network is overfitting."),
        "moment.end": "This is the last step of training.",
        # what the frames show in a phase (said when no moment happens)
        "phase.start": "The network has not learned yet.",
        "phase.descent": "The loss is falling fast.",
        "phase.plateau": "The loss is nearly flat.",
        "phase.converged": "The loss barely changes any more.",
        "phase.diverging": "The loss keeps rising.",
        "phase.overfitting": "The validation loss keeps rising: the network is overfitting.",
        "phase.learning": "The loss is falling.",
        "phase.final": "The final result.",
        # the figures on screen
        "status.regression": "Step {step}: training loss {loss}, validation loss {val_loss}.",
        "status.classification": ("Step {step}: training loss {loss}, validation loss "
                                  "{val_loss}; {right} of {total} training points right."),
    },
}


def templates(language: str) -> dict[str, str]:
    """The templates of `language` (a code such as "en")."""
    try:
        return TEMPLATES[language]
    except KeyError:
        raise ValueError(f"no words in language {language!r}; "
                         f"choose one of {', '.join(LANGUAGES)}") from None
