"""Seed data for the "us-china-trade-2025" cited timeline.

Pure data, with no Django imports and no I/O: the timeline, its sources (metadata
only), actors, places, tags and events. Each event cites one or more sources.

Every citation ``quote`` is copied verbatim from the article files in
``../shared/seeds/`` (relative to the repository root), typographic quotes and
dashes included, and is at most one sentence long. This repository never holds
a copy of the articles themselves, only their metadata and these short quotes.

Dates are EDTF strings (https://www.loc.gov/standards/datetime/).
"""

TIMELINE = {
    "slug": "us-china-trade-2025",
    "title": "The 2025 US–China trade truce",
    "description": (
        "How the trade war that began with US tariffs on Chinese goods in late March 2025 "
        "moved through a short-lived May truce and renewed talks to the meeting between "
        "Donald Trump and Xi Jinping in Busan on 30 October 2025, where a one-year truce was "
        "agreed. It ends with the reciprocal state visits planned for 2026."
    ),
}

SOURCES = [
    {
        "slug": "trump-xi-meet-first-time-six-years",
        "file": "000_67c9d64670e897f0.txt",
        "published_between": "2025-10-30/2025-11-02",
        "title": (
            "Trump and Xi meet in South Korea for the first time in six years (untitled report)"
        ),
        "publisher": "",
        "language": "en",
        "notes": (
            "The text has no headline; the title was supplied by the editors. Written just "
            "after the Busan meeting (it refers to “Thursday’s talks”), with two section "
            "subheadings. No publisher, author or date is named in the text."
            " Published between 30 October (it reports “Thursday’s talks”) and 2 November 2025 "
            "(Trump “spent the past week” in Asia, a tour of 26–30 October)."
        ),
    },
    {
        "slug": "trump-xi-reignite-trade-talks",
        "file": "001_275094d82d1a2bc1.txt",
        "published_between": "2025-10-30/2026-03-31",
        "title": (
            "Trump and Xi Jinping Reignite Trade Talks: Inside the Fragile Truce Between the "
            "U.S. and China"
        ),
        "publisher": "",
        "language": "en",
        "notes": (
            "English-language article that ends with a Spanish-language site footer "
            "(“Comparte el Post en:”, “Más Noticias”) and once writes “Donald Trump y Xi "
            "Jinping”, suggesting a Spanish-language site. No publisher, author or date is "
            "named in the text."
            " Published after the meeting of 30 October 2025 and before April 2026 (the visit “in "
            "April” is still an invitation)."
        ),
    },
    {
        "slug": "trump-xi-hold-first-talks-six-years",
        "file": "002_39c10700cb87139f.txt",
        "published_between": "2025-10-30",
        "title": "Trump and Xi hold first talks in six years",
        "publisher": "",
        "language": "en",
        "notes": (
            "Subheadline: “Leaders meet in Busan to push trade deal and strengthen bilateral "
            "cooperation”. Written on the day of the Busan meeting. No publisher, author or "
            "date is named in the text."
            " Published on 30 October 2025: the meeting had just ended and no outcome was out."
        ),
    },
    {
        "slug": "trump-xi-summit-busan-symbolic-or-breakthrough",
        "file": "003_2c106248d067688a.txt",
        "published_between": "2025-10-30/2025-11-09",
        "title": "Trump-Xi Summit in Busan: Symbolic Diplomacy or Real Breakthrough?",
        "publisher": "",
        "language": "en",
        "notes": (
            "Analysis piece written after the Busan meeting, with a bulleted list of the "
            "agreed terms; the text ends with site navigation residue (“Scroll to Top”). No "
            "publisher, author or date is named in the text."
            " Published between 30 October and 9 November 2025: the measures that took effect on 10"
            " November are still in the future tense."
        ),
    },
    {
        "slug": "trump-xi-meeting-preview-south-korea",
        "file": "004_73e20dc643de13eb.txt",
        "published_between": "2025-10-24/2025-10-25",
        "title": (
            "Trump to meet Xi in South Korea as trade negotiators prepare the ground "
            "(untitled preview report)"
        ),
        "publisher": "",
        "language": "en",
        "notes": (
            "The text has no headline; the title was supplied by the editors. A preview "
            "written before Trump’s Asia trip, in the week before the Busan meeting (it says "
            "the meeting “is scheduled to take place on Thursday”), so its “last month” "
            "means September 2025. Much of it is about a possible Trump–Kim Jong-un meeting. "
            "No publisher, author or date is named in the text."
            " Published on 24 or 25 October 2025: the meeting is “on Thursday” (30 October), and "
            "the Asia tour that began on 26 October is still “in the coming week”."
        ),
    },
]

ACTORS = [
    {
        "slug": "donald-trump",
        "name": "Donald Trump",
        "kind": "person",
        "wikidata_id": "Q22686",
    },
    {
        "slug": "xi-jinping",
        "name": "Xi Jinping",
        "kind": "person",
        "wikidata_id": "Q15031",
    },
    {
        "slug": "scott-bessent",
        "name": "Scott Bessent",
        "kind": "person",
        "wikidata_id": "",
    },
    {
        "slug": "he-lifeng",
        "name": "He Lifeng",
        "kind": "person",
        "wikidata_id": "",
    },
    {
        "slug": "jensen-huang",
        "name": "Jensen Huang",
        "kind": "person",
        "wikidata_id": "",
    },
    {
        "slug": "nvidia",
        "name": "Nvidia",
        "kind": "organisation",
        "wikidata_id": "Q182477",
    },
    {
        "slug": "china-ministry-of-commerce",
        "name": "Ministry of Commerce of the People’s Republic of China",
        "kind": "organisation",
        "wikidata_id": "",
    },
    {
        "slug": "united-states",
        "name": "United States",
        "kind": "country",
        "wikidata_id": "Q30",
    },
    {
        "slug": "china",
        "name": "People’s Republic of China",
        "kind": "country",
        "wikidata_id": "Q148",
    },
]

PLACES = [
    {
        "slug": "busan",
        "name": "Busan, South Korea",
        "latitude": "35.1796",
        "longitude": "129.0756",
        "wikidata_id": "",
    },
    {
        "slug": "kuala-lumpur",
        "name": "Kuala Lumpur, Malaysia",
        "latitude": "3.1390",
        "longitude": "101.6869",
        "wikidata_id": "",
    },
    {
        "slug": "beijing",
        "name": "Beijing, China",
        "latitude": "39.9042",
        "longitude": "116.4074",
        "wikidata_id": "Q956",
    },
]

TAGS = [
    {"slug": "tariffs", "name": "Tariffs"},
    {"slug": "rare-earths", "name": "Rare earths"},
    {"slug": "agriculture", "name": "Agriculture"},
    {"slug": "fentanyl", "name": "Fentanyl"},
    {"slug": "technology", "name": "Technology"},
    {"slug": "diplomacy", "name": "Diplomacy"},
    {"slug": "trade-talks", "name": "Trade talks"},
    {"slug": "us-politics", "name": "US politics"},
]


EVENTS = [
    {
        "slug": "trump-xi-meeting-2019",
        "title": "Last Trump–Xi meeting before the 2025 summit",
        "summary": (
            "Donald Trump and Xi Jinping last met in person in 2019. Their meeting in Busan in "
            "October 2025 was their first in six years. No article says when in 2019 or where."
        ),
        "date": "2019",
        "date_note": (
            "One article calls the Busan meeting of October 2025 the leaders’ “first "
            "face-to-face meeting since 2019”, and three others their first in six years: so "
            "they last met in 2019. No article says when in 2019 or where."
        ),
        "display_date": "2019",
        "status": "occurred",
        "place": None,
        "actors": ["donald-trump", "xi-jinping"],
        "tags": ["diplomacy"],
        "citations": [
            {
                "source": "trump-xi-summit-busan-symbolic-or-breakthrough",
                "quote": "for their first face-to-face meeting since 2019",
                "note": "The only source to name the year.",
            },
            {
                "source": "trump-xi-meet-first-time-six-years",
                "quote": "met for the first time in six years",
                "note": "",
            },
            {
                "source": "trump-xi-reignite-trade-talks",
                "quote": "After six years without a formal meeting",
                "note": "",
            },
            {
                "source": "trump-xi-hold-first-talks-six-years",
                "quote": "for their first face-to-face talks in six years",
                "note": "",
            },
        ],
    },
    {
        "slug": "trump-second-term-begins",
        "title": "Trump begins his second term",
        "summary": (
            "Donald Trump began his second term as US president in January 2025. He did not meet "
            "Xi Jinping again until the Busan summit in October."
        ),
        "date": "2025-01",
        "display_date": "January 2025",
        "status": "occurred",
        "place": None,
        "actors": ["donald-trump", "united-states"],
        "tags": ["us-politics"],
        "citations": [
            {
                "source": "trump-xi-meeting-preview-south-korea",
                "quote": "since Trump began his second presidential term in January",
                "note": "",
            },
        ],
    },
    {
        "slug": "us-tariffs-march-2025",
        "title": "US imposes high tariffs on Chinese goods",
        "summary": (
            "The United States imposed high tariffs on goods imported from China, starting a "
            "trade war between the two countries. Trump argued that China’s trade surplus with "
            "the United States was unfair."
        ),
        "date": "2025-03",
        "display_date": "Late March 2025",
        "status": "occurred",
        "place": None,
        "actors": ["donald-trump", "united-states", "china"],
        "tags": ["tariffs"],
        "citations": [
            {
                "source": "trump-xi-meeting-preview-south-korea",
                "quote": (
                    "In late March, the two nations became embroiled in a trade war, with Trump "
                    "imposing high tariffs on products imported from China."
                ),
                "note": "The only source to date the start of the trade war.",
            },
            {
                "source": "trump-xi-meeting-preview-south-korea",
                "quote": (
                    "it was unfair for China to export significantly more goods to the U.S. than "
                    "vice versa"
                ),
                "note": "",
            },
            {
                "source": "trump-xi-meet-first-time-six-years",
                "quote": (
                    "Relations have been rocky since Trump imposed sweeping tariffs on Chinese "
                    "goods"
                ),
                "note": "Does not date the tariffs.",
            },
        ],
    },
    {
        "slug": "china-retaliatory-tariffs",
        "title": "China retaliates with tariffs on US products",
        "summary": (
            "China responded to the US tariffs with tariffs of its own on American products, "
            "which halted its imports of US soybeans and hurt American farmers. No source dates "
            "the retaliation: about April 2025 is the editors’ estimate."
        ),
        "date": "2025-04~",
        "date_note": (
            "No article dates China’s retaliatory tariffs: the pre-summit report says only that "
            "China imposed them “In response” to the US tariffs of “late March” 2025, and "
            "another tells of “Beijing’s retaliation” just before “A short-lived truce in May”. "
            "About April is the editors’ estimate; late March or May cannot be ruled out."
        ),
        "display_date": "About April 2025",
        "status": "occurred",
        "place": None,
        "actors": ["china", "united-states"],
        "tags": ["tariffs", "agriculture"],
        "citations": [
            {
                "source": "trump-xi-meeting-preview-south-korea",
                "quote": "In response, China implemented tariffs on American products.",
                "note": "Says only that China acted “in response” to the late-March tariffs.",
            },
            {
                "source": "trump-xi-meet-first-time-six-years",
                "quote": (
                    "Relations have been rocky since Trump imposed sweeping tariffs on Chinese "
                    "goods, prompting Beijing’s retaliation."
                ),
                "note": "Names the retaliation; does not date it.",
            },
            {
                "source": "trump-xi-meet-first-time-six-years",
                "quote": "Chinese tariffs had previously frozen US soybean imports",
                "note": "",
            },
            {
                "source": "trump-xi-reignite-trade-talks",
                "quote": (
                    "This is an important move for U.S. farmers who had been hurt by retaliatory "
                    "tariffs."
                ),
                "note": "",
            },
        ],
    },
    {
        "slug": "may-2025-truce",
        "title": "Short-lived US–China trade truce",
        "summary": (
            "The United States and China agreed a truce in May 2025, but it did not last and "
            "failed to end the trade confrontation."
        ),
        "date": "2025-05",
        "display_date": "May 2025",
        "status": "occurred",
        "place": None,
        "actors": ["united-states", "china"],
        "tags": ["tariffs", "trade-talks"],
        "citations": [
            {
                "source": "trump-xi-meet-first-time-six-years",
                "quote": "A short-lived truce in May failed to end the confrontation.",
                "note": "",
            },
        ],
    },
    {
        "slug": "china-rare-earth-measures-autumn-2025",
        "title": "China raises import tariffs on rare-earth metals",
        "summary": (
            "China escalated the dispute with higher import tariffs on rare-earth metals, which "
            "are needed for wind farms, electronics and defence equipment. Only the pre-summit "
            "report describes this measure; the reports of the Busan meeting speak of export "
            "restrictions, which China agreed there to remove or partly delay."
        ),
        "date": "2025-09",
        "display_date": "September 2025",
        "status": "occurred",
        "place": None,
        "actors": ["china"],
        "tags": ["rare-earths", "tariffs"],
        "citations": [
            {
                "source": "trump-xi-meeting-preview-south-korea",
                "quote": (
                    "Last month, tensions escalated further as China introduced higher import "
                    "tariffs on rare earth metals"
                ),
                "note": (
                    "“Last month” in a report of 24 or 25 October 2025: September. The only "
                    "source to report this measure."
                ),
            },
        ],
    },
    {
        "slug": "kuala-lumpur-talks",
        "title": "US and Chinese negotiators meet in Kuala Lumpur",
        "summary": (
            "Chinese Vice Premier He Lifeng and US Treasury Secretary Scott Bessent led two days "
            "of trade talks in Kuala Lumpur ahead of the leaders’ meeting. Bessent said they had "
            "reached a substantial framework for Trump and Xi to decide on."
        ),
        "date": "2025-10?",
        "date_note": (
            "No article dates the Kuala Lumpur talks: the report of 30 October says the Busan "
            "summit “followed two days of talks in Kuala Lumpur” and quotes Xi on “recent "
            "meetings, including talks in Malaysia”; the report of 24 or 25 October says the "
            "preparatory talks “are being led” by He Lifeng and Scott Bessent. So they were "
            "shortly before 30 October; the month is inferred, the days are not reported."
        ),
        "display_date": "October 2025, before the Busan meeting",
        "status": "occurred",
        "place": "kuala-lumpur",
        "actors": ["he-lifeng", "scott-bessent", "china", "united-states"],
        "tags": ["trade-talks", "tariffs"],
        "citations": [
            {
                "source": "trump-xi-hold-first-talks-six-years",
                "quote": (
                    "The summit in Busan followed two days of talks in Kuala Lumpur between "
                    "China’s delegation, led by Vice Premier He Lifeng, and the U.S. team headed "
                    "by Treasury Secretary Scott Bessent"
                ),
                "note": "",
            },
            {
                "source": "trump-xi-hold-first-talks-six-years",
                "quote": (
                    "who said a “very substantial” framework had been reached for leaders to "
                    "decide on trade and tariff issues"
                ),
                "note": "Refers to Scott Bessent.",
            },
            {
                "source": "trump-xi-meeting-preview-south-korea",
                "quote": (
                    "The preparatory trade discussions are being led by Chinese Vice Premier He "
                    "Lifeng and U.S. Treasury Secretary Scott Bessent."
                ),
                "note": (
                    "Written on 24 or 25 October, in the present tense; does not name Kuala Lumpur."
                ),
            },
            {
                "source": "trump-xi-hold-first-talks-six-years",
                "quote": (
                    "He said trade teams had made “encouraging progress” after recent meetings, "
                    "including talks in Malaysia, and described a foundation of “solid "
                    "foundation, sound atmosphere” for further negotiation."
                ),
                "note": "Xi Jinping, on the talks before the summit.",
            },
        ],
    },
    {
        "slug": "trump-asia-tour-2025",
        "title": "Trump tours Malaysia, Japan and South Korea",
        "summary": (
            "Trump made a three-nation Asia trip to Malaysia, Japan and South Korea to promote "
            "trade with the region. The trip ended with his meeting with Xi Jinping in Busan."
        ),
        "date": "2025-10-25/2025-10-30",
        "date_note": (
            "The pre-summit report (24 or 25 October 2025) says “In the coming week, Trump will "
            "visit Malaysia, Japan, and South Korea”, so the trip began on 25 October at the "
            "earliest; no article gives its first day. The report of 30 October says the "
            "meeting of Thursday 30 October “capped” the three-nation visit."
        ),
        "display_date": "Late October 2025, ending with the Busan meeting on 30 October",
        "status": "occurred",
        "place": None,
        "actors": ["donald-trump", "united-states"],
        "tags": ["diplomacy", "trade-talks"],
        "citations": [
            {
                "source": "trump-xi-meeting-preview-south-korea",
                "quote": "In the coming week, Trump will visit Malaysia, Japan, and South Korea",
                "note": "Written before the trip.",
            },
            {
                "source": "trump-xi-hold-first-talks-six-years",
                "quote": (
                    "The encounter capped Trump’s three-nation Asia visit, which included stops "
                    "in Malaysia and Japan"
                ),
                "note": "",
            },
            {
                "source": "trump-xi-meet-first-time-six-years",
                "quote": "where Trump spent the past week driving his economic agenda",
                "note": "",
            },
            {
                "source": "trump-xi-summit-busan-symbolic-or-breakthrough",
                "quote": "calling it the highlight of his Asia tour",
                "note": "",
            },
        ],
    },
    {
        "slug": "busan-meeting",
        "title": "Trump and Xi meet in Busan",
        "summary": (
            "Donald Trump and Xi Jinping met in Busan, South Korea, on the sidelines of the "
            "Asia-Pacific (APEC) summit, their first meeting in six years. No formal trade deal "
            "or joint communique was issued, but they agreed a one-year trade truce. The sources "
            "disagree on how long the meeting lasted: 80 minutes in one report, about 100 "
            "minutes (one hour and 40 minutes) in two others; a fourth says just over an hour. "
            "There was no progress on TikTok."
        ),
        "date": "2025-10-30",
        "display_date": "Thursday 30 October 2025",
        "status": "occurred",
        "place": "busan",
        "actors": ["donald-trump", "xi-jinping", "united-states", "china"],
        "tags": ["diplomacy", "trade-talks"],
        "citations": [
            {
                "source": "trump-xi-hold-first-talks-six-years",
                "quote": (
                    "Donald Trump and Chinese President Xi Jinping met in Busan on the sidelines "
                    "of an Asia-Pacific summit for their first face-to-face talks in six years"
                ),
                "note": "",
            },
            {
                "source": "trump-xi-meeting-preview-south-korea",
                "quote": (
                    "A meeting between President Trump and President Xi is scheduled to take "
                    "place on Thursday in South Korea"
                ),
                "note": "Written before the meeting.",
            },
            {
                "source": "trump-xi-summit-busan-symbolic-or-breakthrough",
                "quote": "The two leaders agreed to a trade truce",
                "note": "",
            },
            {
                "source": "trump-xi-meet-first-time-six-years",
                "quote": (
                    "No formal trade deal came from Thursday’s talks, but both leaders hinted at "
                    "progress."
                ),
                "note": "",
            },
            {
                "source": "trump-xi-meet-first-time-six-years",
                "quote": "the 80-minute conversation became the defining moment of Trump’s trip",
                "note": "Gives the length as 80 minutes: it conflicts with about 100 minutes.",
            },
            {
                "source": "trump-xi-reignite-trade-talks",
                "quote": "Their encounter in South Korea lasted just over an hour",
                "note": "Gives the length as just over an hour, which agrees with the others.",
            },
            {
                "source": "trump-xi-hold-first-talks-six-years",
                "quote": "The leaders’ meeting lasted about 100 minutes",
                "note": "Gives the length as about 100 minutes (90 to 110).",
            },
            {
                "source": "trump-xi-summit-busan-symbolic-or-breakthrough",
                "quote": "The meeting lasted just one hour and 40 minutes",
                "note": "Gives the length as one hour and 40 minutes.",
            },
            {
                "source": "trump-xi-summit-busan-symbolic-or-breakthrough",
                "quote": "no joint communique was released after the summit",
                "note": "Attributed to the analyst Einar Tangen.",
            },
            {
                "source": "trump-xi-meet-first-time-six-years",
                "quote": "there was no progress on TikTok",
                "note": "",
            },
        ],
    },
    {
        "slug": "busan-rare-earth-deal",
        "title": "China agrees to ease its rare-earth export restrictions",
        "summary": (
            "At Busan, China agreed to ease its export restrictions on rare-earth metals, which "
            "analysts called a strategic win for Trump. The sources differ on how far: one says "
            "China agreed to remove them, two that it suspended or delayed some, with five "
            "metals freed and seven still restricted. China controls over 70% of global "
            "rare-earth processing; the U.S. Geological Survey puts it at more than 90%."
        ),
        "date": "2025-10-30",
        "date_note": (
            "Agreed at the Busan meeting of Thursday 30 October 2025 (“Thursday’s talks” in the "
            "report of that week): one report says “The two leaders agreed to suspend certain "
            "export restrictions”, another lists the delay among the terms of the truce agreed "
            "there. No quote on this outcome names the day itself."
        ),
        "display_date": "30 October 2025",
        "status": "occurred",
        "place": "busan",
        "actors": ["china", "united-states", "xi-jinping", "donald-trump"],
        "tags": ["rare-earths", "trade-talks"],
        "citations": [
            {
                "source": "trump-xi-meet-first-time-six-years",
                "quote": "Beijing lifts rare earth controls and resumes farm imports",
                "note": "Section subheading; says the controls were removed rather than delayed.",
            },
            {
                "source": "trump-xi-meet-first-time-six-years",
                "quote": (
                    "China agreed to remove export restrictions on rare earth minerals essential "
                    "for smartphones, electric vehicles, and defense technology."
                ),
                "note": "All removed, without exception.",
            },
            {
                "source": "trump-xi-summit-busan-symbolic-or-breakthrough",
                "quote": (
                    "China will delay export restrictions on five rare earth metals, though seven "
                    "others will remain restricted."
                ),
                "note": "Five delayed, seven still restricted.",
            },
            {
                "source": "trump-xi-reignite-trade-talks",
                "quote": (
                    "The two leaders agreed to suspend certain export restrictions on rare earth "
                    "elements."
                ),
                "note": "",
            },
            {
                "source": "trump-xi-summit-busan-symbolic-or-breakthrough",
                "quote": (
                    "Perhaps the most significant development was China’s agreement to delay "
                    "restrictions on rare earth exports"
                ),
                "note": "",
            },
            {
                "source": "trump-xi-reignite-trade-talks",
                "quote": (
                    "According to the U.S. Geological Survey, China still controls more than 90% "
                    "of global rare earth processing."
                ),
                "note": "Gives China’s share as more than 90%, which is also over 70%.",
            },
            {
                "source": "trump-xi-summit-busan-symbolic-or-breakthrough",
                "quote": "China controls over 70% of global rare earth processing",
                "note": "Gives China’s share as over 70%: it agrees with more than 90%.",
            },
        ],
    },
    {
        "slug": "busan-soybean-purchases",
        "title": "China agrees to resume buying US soybeans",
        "summary": (
            "China agreed to resume large purchases of US soybeans and other farm goods, a "
            "relief for American farmers. According to Treasury Secretary Scott Bessent, China "
            "will buy 12 million tonnes this season and at least 25 million tonnes a year for "
            "the following three years."
        ),
        "date": "2025-10-30",
        "date_note": (
            "An outcome of the Busan meeting of Thursday 30 October 2025 (“Thursday’s talks” in "
            "the report of that week): one report says Beijing agreed to resume the purchases, "
            "another lists them among the terms agreed there; a third has Trump announcing them "
            "aboard Air Force One after the meeting, on a day it does not give."
        ),
        "display_date": "30 October 2025",
        "status": "occurred",
        "place": "busan",
        "actors": ["china", "united-states", "donald-trump", "scott-bessent"],
        "tags": ["agriculture", "trade-talks"],
        "citations": [
            {
                "source": "trump-xi-meet-first-time-six-years",
                "quote": (
                    "he said China would immediately start purchasing “tremendous amounts of "
                    "soybeans and other farm goods.”"
                ),
                "note": "Trump, speaking aboard Air Force One.",
            },
            {
                "source": "trump-xi-meet-first-time-six-years",
                "quote": (
                    "US Treasury Secretary Scott Bessent confirmed that China would buy 12 "
                    "million metric tonnes of soybeans this season"
                ),
                "note": "",
            },
            {
                "source": "trump-xi-reignite-trade-talks",
                "quote": (
                    "Beijing agreed to resume large-scale purchases of American soybeans and "
                    "agricultural goods."
                ),
                "note": "",
            },
            {
                "source": "trump-xi-summit-busan-symbolic-or-breakthrough",
                "quote": (
                    "Chinese imports of US soya beans will resume immediately, a relief for "
                    "American farmers."
                ),
                "note": "",
            },
        ],
    },
    {
        "slug": "busan-fentanyl-tariff-cut",
        "title": "US agrees to halve its fentanyl-related tariff on Chinese goods",
        "summary": (
            "The United States agreed to halve its 20% fentanyl-related tariff on Chinese "
            "goods, while China pledged to do more to curb fentanyl trafficking. One report says "
            "overall tariffs will fall from 57% to 47%; two say duties of over 40% remain, which "
            "agrees. No article says when the lower tariff takes effect."
        ),
        "date": "2025-10-30",
        "date_note": (
            "Agreed at the Busan meeting of Thursday 30 October 2025 (“Thursday’s talks” in the "
            "report of that week): one report lists the halving among the terms of the truce, "
            "another says Washington announced the easing “After the meeting”. This is the date "
            "of the agreement, not of the cut."
        ),
        "display_date": "30 October 2025",
        "status": "occurred",
        "place": "busan",
        "actors": ["united-states", "china", "donald-trump", "xi-jinping"],
        "tags": ["fentanyl", "tariffs", "trade-talks"],
        "citations": [
            {
                "source": "trump-xi-summit-busan-symbolic-or-breakthrough",
                "quote": (
                    "Washington will halve its 20% fentanyl-related tariff, lowering overall "
                    "tariffs on Chinese goods from 57% to 47%."
                ),
                "note": "Overall tariffs to fall from 57% to 47%: still over 40%, as others say.",
            },
            {
                "source": "trump-xi-summit-busan-symbolic-or-breakthrough",
                "quote": (
                    "Beijing agreed to intensify efforts to curb illegal fentanyl trafficking "
                    "into the US."
                ),
                "note": "",
            },
            {
                "source": "trump-xi-meet-first-time-six-years",
                "quote": (
                    "Washington also said it would ease certain tariffs related to ingredients "
                    "used in fentanyl production"
                ),
                "note": "",
            },
            {
                "source": "trump-xi-reignite-trade-talks",
                "quote": (
                    "Washington agreed to relax some tariffs tied to the flow of precursor "
                    "chemicals used in the synthetic opioid crisis."
                ),
                "note": "",
            },
            {
                "source": "trump-xi-meet-first-time-six-years",
                "quote": "US importers still paying over 40 percent taxes on Chinese products",
                "note": "Remaining tariffs over 40 percent.",
            },
            {
                "source": "trump-xi-reignite-trade-talks",
                "quote": "Goods imported from China still face duties of over 40%.",
                "note": "Remaining duties over 40%.",
            },
        ],
    },
    {
        "slug": "busan-one-year-suspension",
        "title": "US and China agree to a one-year pause on port fees and export controls",
        "summary": (
            "The truce freezes some economic hostilities for one year, subject to renewal. Both "
            "countries will suspend their tit-for-tat port fees and technology-related export "
            "controls for a year, and the US Section 301 investigation will also be paused "
            "temporarily."
        ),
        "date": "2025-10-30",
        "date_note": (
            "Agreed at the Busan meeting of Thursday 30 October 2025 (“Thursday’s talks” in the "
            "report of that week): the summit analysis lists the one-year suspension among the "
            "terms of “The agreement” reached there. No article says when the pause begins."
        ),
        "display_date": "30 October 2025",
        "status": "occurred",
        "place": "busan",
        "actors": ["united-states", "china"],
        "tags": ["trade-talks", "technology", "tariffs"],
        "citations": [
            {
                "source": "trump-xi-summit-busan-symbolic-or-breakthrough",
                "quote": (
                    "The agreement introduces a one-year freeze on certain economic hostilities, "
                    "subject to renewal."
                ),
                "note": "",
            },
            {
                "source": "trump-xi-summit-busan-symbolic-or-breakthrough",
                "quote": (
                    "Both nations will suspend tit-for-tat port fees and technology-related "
                    "export controls for a year."
                ),
                "note": "",
            },
            {
                "source": "trump-xi-summit-busan-symbolic-or-breakthrough",
                "quote": (
                    "The 301 investigation, which allows Washington to impose tariffs on unfair "
                    "trade practices, will also be paused temporarily."
                ),
                "note": "",
            },
        ],
    },
    {
        "slug": "busan-chips-discussed",
        "title": "Semiconductors discussed in Busan; Blackwell chips “not on the table”",
        "summary": (
            "Trump confirmed that semiconductor access was discussed in Busan, but said Nvidia’s "
            "Blackwell chips were not on the table. Afterwards he said Xi could soon hold talks "
            "with Nvidia chief Jensen Huang, and mentioned ongoing discussions between Beijing "
            "and Nvidia: his remarks, not a subject of the meeting in any report."
        ),
        "date": "2025-10-30",
        "date_note": (
            "Discussed at the Busan meeting of Thursday 30 October 2025 (“Thursday’s talks” in "
            "the report of that week), where, the summit analysis says, “Trump confirmed that "
            "semiconductors were discussed”."
        ),
        "display_date": "30 October 2025",
        "status": "occurred",
        "place": "busan",
        "actors": ["donald-trump", "xi-jinping", "nvidia", "jensen-huang"],
        "tags": ["technology", "trade-talks"],
        "citations": [
            {
                "source": "trump-xi-summit-busan-symbolic-or-breakthrough",
                "quote": (
                    "Trump confirmed that semiconductors were discussed, though the Blackwell "
                    "chips were “not on the table.”"
                ),
                "note": "",
            },
            {
                "source": "trump-xi-summit-busan-symbolic-or-breakthrough",
                "quote": (
                    "A major focus of the discussion was semiconductor access, a flashpoint in "
                    "US-China relations."
                ),
                "note": "",
            },
            {
                "source": "trump-xi-meet-first-time-six-years",
                "quote": "Xi could soon hold talks with Jensen Huang, head of US chip giant Nvidia",
                "note": "Trump’s remark, not a subject of the meeting.",
            },
            {
                "source": "trump-xi-reignite-trade-talks",
                "quote": (
                    "Trump mentioned ongoing discussions between Beijing and Nvidia CEO Jensen "
                    "Huang regarding the export of AI chips."
                ),
                "note": "Trump’s remark about talks between Beijing and Nvidia, not the meeting.",
            },
        ],
    },
    {
        "slug": "trump-visit-china-april-2026",
        "title": "Trump to visit China",
        "summary": (
            "Xi invited Trump to visit China in April 2026, and China’s Ministry of Commerce "
            "later confirmed the visit. One source expects the talks to resume in Beijing."
        ),
        "date": "2026-04",
        "display_date": "April 2026",
        "status": "scheduled",
        "place": "beijing",
        "actors": ["donald-trump", "xi-jinping", "china-ministry-of-commerce", "china"],
        "tags": ["diplomacy"],
        "citations": [
            {
                "source": "trump-xi-summit-busan-symbolic-or-breakthrough",
                "quote": (
                    "The Chinese Ministry of Commerce later confirmed that Trump will visit China "
                    "in April 2026"
                ),
                "note": "",
            },
            {
                "source": "trump-xi-meet-first-time-six-years",
                "quote": "Xi also invited Trump to visit China in April",
                "note": "",
            },
            {
                "source": "trump-xi-reignite-trade-talks",
                "quote": "Beijing’s invitation for Trump to visit China in April",
                "note": "",
            },
            {
                "source": "trump-xi-summit-busan-symbolic-or-breakthrough",
                "quote": "when the talks resume in Beijing next spring",
                "note": "",
            },
        ],
    },
    {
        "slug": "xi-visit-us-2026",
        "title": "Xi expected to make a reciprocal visit to the US",
        "summary": (
            "Xi Jinping is expected to make a reciprocal visit to the United States later in "
            "2026, after Trump’s visit to China. No date has been reported."
        ),
        "date": "2026-05/2026-12",
        "display_date": "Later in 2026, after Trump’s April visit",
        "status": "scheduled",
        "place": None,
        "actors": ["xi-jinping", "united-states"],
        "tags": ["diplomacy"],
        "citations": [
            {
                "source": "trump-xi-summit-busan-symbolic-or-breakthrough",
                "quote": (
                    "The Chinese Ministry of Commerce later confirmed that Trump will visit China "
                    "in April 2026, with Xi expected to make a reciprocal trip to the US later "
                    "that year."
                ),
                "note": "",
            },
        ],
    },
]

# Events part of another (schema.org superEvent), and their order on their dates: the
# Busan meeting is part of Trump's Asia tour, and its outcomes, on the same day, follow it.
EVENT_PARTS = {
    "busan-meeting": ("trump-asia-tour-2025", 0),
    "busan-rare-earth-deal": ("busan-meeting", 1),
    "busan-soybean-purchases": ("busan-meeting", 2),
    "busan-fentanyl-tariff-cut": ("busan-meeting", 3),
    "busan-one-year-suspension": ("busan-meeting", 4),
    "busan-chips-discussed": ("busan-meeting", 5),
}

# The properties that the claims below state: a small vocabulary editors extend.
PROPERTIES = [
    {
        "slug": "duration",
        "name": "Duration",
        "kind": "duration",
        "description": "How long the event lasted.",
        "wikidata_id": "P2047",
    },
    {
        "slug": "time-since-last-meeting",
        "name": "Time since the leaders last met",
        "kind": "duration",
        "description": "How long before the event the same leaders had last met in person.",
        "wikidata_id": "",
    },
    {
        "slug": "tariff-rate-on-chinese-goods",
        "name": "Tariff rate on Chinese goods",
        "kind": "percentage",
        "description": "The overall US tariff rate on imports from China after the event.",
        "wikidata_id": "",
    },
    {
        "slug": "china-share-of-rare-earth-processing",
        "name": "China’s share of global rare-earth processing",
        "kind": "percentage",
        "description": "The share of the world’s rare-earth processing done in China.",
        "wikidata_id": "",
    },
    {
        "slug": "form-of-rare-earth-measures",
        "name": "Form of China’s rare-earth measures",
        "kind": "text",
        "description": "What kind of trade measure China applied to rare-earth metals.",
        "wikidata_id": "",
    },
    {
        "slug": "rare-earth-restrictions-outcome",
        "name": "What becomes of the rare-earth export restrictions",
        "kind": "text",
        "description": "What China agreed to do with its rare-earth export restrictions.",
        "wikidata_id": "",
    },
    {
        "slug": "soybean-purchases-this-season",
        "name": "Soybean purchases this season",
        "kind": "mass",
        "description": "How many soybeans China is to buy from the US in the current season.",
        "wikidata_id": "",
    },
]

# Claims: each value of a property as the sources state it, citing the event's
# citations by (source, quote). Where sources disagree, each value is here.
CLAIMS = [
    {
        "event": "busan-meeting",
        "property": "duration",
        "value": "80 minutes",
        "citations": [
            (
                "trump-xi-meet-first-time-six-years",
                "the 80-minute conversation became the defining moment of Trump’s trip",
            )
        ],
    },
    {
        "event": "busan-meeting",
        "property": "duration",
        "value": "just over an hour",
        "citations": [
            (
                "trump-xi-reignite-trade-talks",
                "Their encounter in South Korea lasted just over an hour",
            )
        ],
    },
    {
        "event": "busan-meeting",
        "property": "duration",
        "value": "about 100 minutes",
        "citations": [
            ("trump-xi-hold-first-talks-six-years", "The leaders’ meeting lasted about 100 minutes")
        ],
    },
    {
        "event": "busan-meeting",
        "property": "duration",
        "value": "one hour and 40 minutes",
        "citations": [
            (
                "trump-xi-summit-busan-symbolic-or-breakthrough",
                "The meeting lasted just one hour and 40 minutes",
            )
        ],
    },
    {
        "event": "busan-meeting",
        "property": "time-since-last-meeting",
        "value": "six years",
        "citations": [
            (
                "trump-xi-hold-first-talks-six-years",
                "Donald Trump and Chinese President Xi Jinping met in Busan on the sidelines "
                "of an Asia-Pacific summit for their first face-to-face talks in six years",
            )
        ],
    },
    {
        "event": "busan-fentanyl-tariff-cut",
        "property": "tariff-rate-on-chinese-goods",
        "value": "over 40 percent",
        "citations": [
            (
                "trump-xi-meet-first-time-six-years",
                "US importers still paying over 40 percent taxes on Chinese products",
            )
        ],
    },
    {
        "event": "busan-fentanyl-tariff-cut",
        "property": "tariff-rate-on-chinese-goods",
        "value": "over 40%",
        "citations": [
            (
                "trump-xi-reignite-trade-talks",
                "Goods imported from China still face duties of over 40%.",
            )
        ],
    },
    {
        "event": "busan-fentanyl-tariff-cut",
        "property": "tariff-rate-on-chinese-goods",
        "value": "47%",
        "citations": [
            (
                "trump-xi-summit-busan-symbolic-or-breakthrough",
                "Washington will halve its 20% fentanyl-related tariff, lowering overall "
                "tariffs on Chinese goods from 57% to 47%.",
            )
        ],
    },
    {
        "event": "busan-rare-earth-deal",
        "property": "china-share-of-rare-earth-processing",
        "value": "more than 90%",
        "rank": "preferred",
        "rank_note": (
            "Attributed to the U.S. Geological Survey; the other figure is given without a source."
        ),
        "citations": [
            (
                "trump-xi-reignite-trade-talks",
                "According to the U.S. Geological Survey, China still controls more than 90% "
                "of global rare earth processing.",
            )
        ],
    },
    {
        "event": "busan-rare-earth-deal",
        "property": "china-share-of-rare-earth-processing",
        "value": "over 70%",
        "citations": [
            (
                "trump-xi-summit-busan-symbolic-or-breakthrough",
                "China controls over 70% of global rare earth processing",
            )
        ],
    },
    # "Suspend" and "delay" say the same (some put off, not ended): one reading. The
    # conflict is how far: all removed, or some suspended while others stay restricted.
    {
        "event": "busan-rare-earth-deal",
        "property": "rare-earth-restrictions-outcome",
        "value": "remove export restrictions on rare earth minerals",
        "normalized_as": "all removed",
        "citations": [
            (
                "trump-xi-meet-first-time-six-years",
                "China agreed to remove export restrictions on rare earth minerals essential "
                "for smartphones, electric vehicles, and defense technology.",
            ),
            (
                "trump-xi-meet-first-time-six-years",
                "Beijing lifts rare earth controls and resumes farm imports",
            ),
        ],
    },
    {
        "event": "busan-rare-earth-deal",
        "property": "rare-earth-restrictions-outcome",
        "value": "suspend certain export restrictions",
        "normalized_as": "some suspended, others still restricted",
        "citations": [
            (
                "trump-xi-reignite-trade-talks",
                "The two leaders agreed to suspend certain export restrictions on rare earth "
                "elements.",
            )
        ],
    },
    {
        "event": "busan-rare-earth-deal",
        "property": "rare-earth-restrictions-outcome",
        "value": "delay export restrictions on five rare earth metals, though seven others "
        "will remain restricted",
        "normalized_as": "some suspended, others still restricted",
        "citations": [
            (
                "trump-xi-summit-busan-symbolic-or-breakthrough",
                "China will delay export restrictions on five rare earth metals, though seven "
                "others will remain restricted.",
            ),
            (
                "trump-xi-summit-busan-symbolic-or-breakthrough",
                "Perhaps the most significant development was China’s agreement to delay "
                "restrictions on rare earth exports",
            ),
        ],
    },
    {
        "event": "china-rare-earth-measures-autumn-2025",
        "property": "form-of-rare-earth-measures",
        "value": "higher import tariffs",
        "citations": [
            (
                "trump-xi-meeting-preview-south-korea",
                "Last month, tensions escalated further as China introduced higher import "
                "tariffs on rare earth metals",
            )
        ],
    },
    {
        "event": "busan-soybean-purchases",
        "property": "soybean-purchases-this-season",
        "value": "12 million metric tonnes",
        "citations": [
            (
                "trump-xi-meet-first-time-six-years",
                "US Treasury Secretary Scott Bessent confirmed that China would buy 12 "
                "million metric tonnes of soybeans this season",
            )
        ],
    },
]
