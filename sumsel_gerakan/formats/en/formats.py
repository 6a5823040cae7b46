"""English pages of an Indonesian app: dates are read the way they are in Indonesian
(day first; ISO first, which the admin's calendar writes), so that 03/04/2027 means
3 April whatever the page's language, like every imported file. A month named in words
may come first ('March 25, 2027'): that is unambiguous."""

# Shown: day first with the month in full, as the English pages write dates ("10 December
# 2026"), not Django's "Dec. 10, 2026" in the admin.
DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"

DATE_INPUT_FORMATS = [
    "%Y-%m-%d",  # '2027-03-25' (first: the admin's calendar writes it)
    "%d/%m/%Y",  # '25/03/2027'
    "%d-%m-%Y",  # '25-03-2027'
    "%d.%m.%Y",  # '25.03.2027'
    "%d/%m/%y",  # '25/03/27'
    "%d-%m-%y",  # '25-03-27'
    "%d %b %Y",  # '25 Mar 2027'
    "%d %B %Y",  # '25 March 2027'
    "%b %d %Y",  # 'Mar 25 2027'
    "%b %d, %Y",  # 'Mar 25, 2027'
    "%B %d %Y",  # 'March 25 2027'
    "%B %d, %Y",  # 'March 25, 2027'
]

DATETIME_INPUT_FORMATS = [
    f"{day} {time}"
    for day in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d/%m/%y", "%d-%m-%y")
    for time in ("%H:%M:%S", "%H:%M:%S.%f", "%H:%M")
]
