"""A timeline in the forms other tools read: TimelineJS (JSON and spreadsheet), iCalendar, Atom."""
