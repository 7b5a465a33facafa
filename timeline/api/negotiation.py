"""Content negotiation for endpoints whose URL names the format."""

from rest_framework.negotiation import BaseContentNegotiation


class URLFormatNegotiation(BaseContentNegotiation):
    """The URL names the format: serve it (or a JSON error) whatever Accept says.

    Calendar apps send ``Accept: text/calendar`` and spreadsheets ``text/csv``,
    which DRF would otherwise refuse with a 406, since its renderers here only
    serve errors.
    """

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type
