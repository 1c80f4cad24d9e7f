"""Configuration keys of the academy (see common.config)."""

from django.utils.translation import gettext_lazy as _

from common.config import define

define("academy.recommendation_days", 30,
       _("Academy: recommend lessons for rules that bit the merchant within the last"), "d")
define("academy.recommendation_limit", 6, _("Academy: lessons recommended at most"), "")
define("academy.search_results", 20, _("Academy: search results shown at most"), "")
define("academy.snippet_words", 24, _("Academy: words in a search result's snippet"), "")
