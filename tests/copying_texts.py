"""Texts for the copying tests and benchmark: a source, and essays that copy it or not.

Written for essaycheck's tests: a verbatim copy, a lightly edited copy (a changed word
here and there, other punctuation and case), a paraphrase (the same ideas in other
words) and an independent essay on the same topic.
"""

from __future__ import annotations

SOURCE = (
    "The printing press changed how ideas travelled across Europe. Before Gutenberg built "
    "his press in Mainz around 1450, books were copied by hand, usually by monks, and a "
    "single Bible could take a scribe more than a year to finish. Movable metal type let a "
    "workshop print hundreds of identical pages in a day, so the price of books fell "
    "sharply and far more people could afford to own them. Within fifty years printers were "
    "working in more than two hundred towns. Cheap pamphlets spread the arguments of Martin "
    "Luther so quickly that the Church could not silence him, and scientists could share "
    "exact diagrams and tables with colleagues they had never met. Historians argue that the "
    "press did not cause the Reformation or the scientific revolution on its own, but that "
    "it made both of them much harder to stop."
)

VERBATIM = (
    "My essay is about printing. Movable metal type let a workshop print hundreds of "
    "identical pages in a day, so the price of books fell sharply and far more people could "
    "afford to own them. Within fifty years printers were working in more than two hundred "
    "towns. Cheap pamphlets spread the arguments of Martin Luther so quickly that the Church "
    "could not silence him. I think this was the most important invention ever."
)

LIGHTLY_EDITED = (
    "Printing changed everything. Before Gutenberg built his press in Mainz around 1450, "
    "books were copied by hand (usually by monks) and a single bible could take a writer "
    "more than a year to finish! Movable metal type let a workshop print hundreds of the same "
    "pages in a day, so the price of books fell sharply and many more people could afford to "
    "own them. Historians argue that the press did not cause the reformation or the "
    "scientific revolution by itself, but that it made both of them much harder to stop."
)

PARAPHRASE = (
    "When Gutenberg set up his machine in Mainz in the middle of the fifteenth century, "
    "monks were still writing out books one letter at a time, and a whole Bible took them "
    "over a year. Metal letters that could be rearranged meant that one shop turned out "
    "hundreds of matching sheets daily. Books became cheap, and ordinary families bought "
    "them. Luther's ideas reached readers faster than the Church could answer them, and "
    "scientists mailed accurate drawings to strangers. The press was not the only reason "
    "for these changes, but it made them very difficult to halt."
)

INDEPENDENT = (
    "Printing matters to me because my grandfather was a printer. He set type by hand in a "
    "small shop in Leeds and told me that a good compositor could read a page upside down "
    "and backwards. In the fifteenth century the first presses were wooden and worked like "
    "wine presses. I believe the real change came later, with steam and with paper made "
    "from wood pulp, when newspapers became something every family could buy each morning."
)

COPIED = {"verbatim": VERBATIM, "lightly edited": LIGHTLY_EDITED}
"""The essays that copy the source."""
NOT_COPIED = {"paraphrase": PARAPHRASE, "independent": INDEPENDENT}
"""The essays that do not."""

SHARED_PARAGRAPH = (
    "The harbour town grew rich on the herring trade, and every spring the fleet sailed "
    "north with salt barrels stacked on deck while the families waited for news on the "
    "quay. When the shoals moved away in the eighteen nineties the boats were sold and the "
    "young people left for the mills."
)
CLASS = {
    "ana.txt": (
        "I chose to write about my grandmother's town. " + SHARED_PARAGRAPH + " Today the "
        "harbour holds only pleasure boats and a small museum."
    ),
    "ben.txt": (
        "This essay is about a fishing town. "
        + SHARED_PARAGRAPH.replace("herring", "fish").replace("families", "wives")
        + " It is a sad story, but the museum keeps it alive."
    ),
    "cat.txt": (
        "Fishing towns on the east coast depended on one kind of fish. The herring came "
        "every year until they stopped, and then the fleets were broken up, the men looked "
        "for other work and their children moved inland to find jobs in factories."
    ),
    "dan.txt": INDEPENDENT,
}
"""A class: ana and ben share a paragraph (ben lightly edited it); cat and dan copy nothing."""
