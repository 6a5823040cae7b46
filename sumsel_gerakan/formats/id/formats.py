"""Indonesian input formats: the day comes first. Django's `id` locale also takes
10/25/2009 (month first), so 03/04/2027 could be read as 4 March by one form and
3 April by another; here it is always 3 April, and 03/25/2027 is refused
(`programs.admin_numbers.LocalizedDateField` says why). ISO (2027-03-25) is always taken:
Django adds it to every list. Everything else comes from Django's `id` locale."""

# Shown: months in full, as every page writes them ("31 Desember 2024"), not Django's
# "31 Des. 2024" (the admin's lists and histories); hours as Indonesians write them.
DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H.i"

DATE_INPUT_FORMATS = [
    "%d-%m-%Y",  # '25-03-2027' (first: the admin's calendar writes it)
    "%d/%m/%Y",  # '25/03/2027'
    "%d.%m.%Y",  # '25.03.2027'
    "%d-%m-%y",  # '25-03-27'
    "%d/%m/%y",  # '25/03/27'
    "%d.%m.%y",  # '25.03.27'
    "%d %b %Y",  # '25 Mar 2027' (Indonesian month names: LocalizedDateField)
    "%d %B %Y",  # '25 March 2027'
]

DATETIME_INPUT_FORMATS = [
    f"{day} {time}"
    for day in ("%d-%m-%Y", "%d/%m/%Y", "%d-%m-%y", "%d/%m/%y")
    for time in ("%H.%M.%S", "%H.%M.%S.%f", "%H.%M", "%H:%M:%S", "%H:%M")
]
