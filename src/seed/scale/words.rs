//! The words records are made of: names (common ones first, the seed picks
//! the first ones more often), places with their phone numbering, and the
//! subjects a CRM's timeline is full of.

#[rustfmt::skip]
pub const FIRST_NAMES: &[&str] = &[
    "Anna", "Thomas", "Maria", "Michael", "Sarah", "David", "Laura", "James", "Julia", "Daniel",
    "Emma", "Peter", "Sophie", "Martin", "Hannah", "John", "Lisa", "Paul", "Anne", "Mark", "Lena",
    "Robert", "Clara", "Stefan", "Elena", "Lukas", "Olivia", "Jan", "Chloe", "Felix", "Marie",
    "Alexander", "Nina", "Jonas", "Sofia", "William", "Ann", "Matteo", "Isabel", "Lucas", "Grace",
    "Hugo", "Emily", "Noah", "Joanne", "Oliver", "Camille", "Leon", "Charlotte", "Tim", "Amelia",
    "Ben", "Susanne", "Samuel", "Eva", "Liam", "Annika", "Jakob", "Ines", "Louis", "Mia", "Carlos",
    "Marianne", "Pablo", "Freya", "Finn", "Leanne", "Erik", "Astrid", "Giovanni", "Zoe", "Johann",
    "Ida", "Mateo", "Nora", "Oscar", "Iris", "Henrik", "Kara", "Tobias", "Lucia", "Victor", "Rosa",
    "Arthur", "Elif", "Jonathan", "Maja", "Raphael", "Greta", "Simon", "Hanna", "Milan", "Alice",
    "Theo", "Joanna", "Adrian", "Vera", "Emil", "Luisa", "Kasper", "Dana", "Ruben",
];

#[rustfmt::skip]
pub const LAST_NAMES: &[&str] = &[
    "Smith", "Muller", "Schmidt", "Martin", "Garcia", "Johnson", "Schneider", "Fischer", "Brown",
    "Bernard", "Weber", "Meyer", "Williams", "Rossi", "Wagner", "Dubois", "Becker", "Jones",
    "Hoffmann", "Lopez", "Schulz", "Taylor", "Moreau", "Koch", "de Vries", "Bauer", "Davies",
    "Richter", "Jansen", "Klein", "Wilson", "Wolf", "Laurent", "Neumann", "Evans", "Schwarz",
    "Bakker", "Novak", "Zimmermann", "Thomas", "Braun", "Romano", "Hartmann", "Roberts", "Lange",
    "Fernandez", "Huber", "Walker", "Krause", "Visser", "Lehmann", "Wright", "Baumann", "Petit",
    "Larsen", "Hughes", "Brennan", "Colombo", "Kaiser", "Green", "Fuchs", "Martinez", "Peters",
    "Lambert", "Hall", "Scholz", "Mann", "Ricci", "Jung", "Clarke", "Hahn", "Sanchez", "Keller",
    "Meijer", "Vogel", "Morris", "Friedrich", "Marino", "Berg", "Fontaine", "Roth", "Cooper",
    "Beck", "Gomez", "Lorenz", "Mulder", "Hermann", "King", "Sommer", "Nilsson", "Kowalski",
    "Baker", "Winter", "Rousseau", "Ward", "Brandt", "Navarro", "Seidel", "Lindqvist", "Horvat",
];

/// (city, country, currency, phone prefix, digits after the prefix, domain suffix).
pub type Place = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    u32,
    &'static str,
);

/// Places, each with a numbering plan whose numbers the phone rule accepts
/// (prefix + digits, the first of them 2–9).
pub const PLACES: &[(Place, u32)] = &[
    (("New York", "US", "USD", "+1212", 7, "com"), 14),
    (("Berlin", "DE", "EUR", "+4930", 8, "de"), 12),
    (("London", "GB", "GBP", "+44207", 7, "co.uk"), 12),
    (("Paris", "FR", "EUR", "+3314", 7, "fr"), 9),
    (("Munich", "DE", "EUR", "+4989", 7, "de"), 7),
    (("Chicago", "US", "USD", "+1312", 7, "com"), 7),
    (("Amsterdam", "NL", "EUR", "+3120", 7, "nl"), 7),
    (("Manchester", "GB", "GBP", "+44161", 7, "co.uk"), 6),
    (("Madrid", "ES", "EUR", "+3491", 7, "es"), 6),
    (("Vienna", "AT", "EUR", "+431", 7, "at"), 5),
    (("Lyon", "FR", "EUR", "+3347", 7, "fr"), 4),
    (("Hamburg", "DE", "EUR", "+4940", 8, "de"), 5),
    (("Rotterdam", "NL", "EUR", "+3110", 7, "nl"), 3),
    (("Barcelona", "ES", "EUR", "+3493", 7, "es"), 3),
];

pub const LEGAL_FORMS: &[(&str, &str)] = &[
    ("US", "Inc."),
    ("US", "LLC"),
    ("DE", "GmbH"),
    ("DE", "AG"),
    ("GB", "Ltd"),
    ("FR", "SAS"),
    ("NL", "B.V."),
    ("ES", "S.L."),
    ("AT", "GmbH"),
];

#[rustfmt::skip]
pub const COMPANY_WORDS: &[&str] = &[
    "Nordwind", "Bluebird", "Silverline", "Brightwater", "Redwood", "Ironbridge", "Evergreen",
    "Northstar", "Copperfield", "Greenfield", "Highland", "Lakeside", "Summit", "Pioneer",
    "Keystone", "Harbor", "Atlas", "Falcon", "Meridian", "Horizon", "Granite", "Oakridge",
    "Riverbend", "Starling", "Westgate", "Clearview", "Stonebridge", "Bluepeak", "Sunfield",
    "Alder", "Beacon", "Cascade", "Driftwood", "Elmstead", "Foxglove", "Goldcrest", "Hawthorn",
    "Juniper", "Kestrel", "Larkspur", "Mistral", "Nimbus", "Orchard", "Pinecrest", "Quarry",
    "Rosewood", "Saffron", "Thistle", "Umber", "Vantage", "Willow", "Zephyr", "Anvil", "Bramble",
];

#[rustfmt::skip]
pub const COMPANY_NOUNS: &[&str] = &[
    "Systems", "Logistics", "Labs", "Foods", "Energy", "Media", "Health", "Capital", "Robotics",
    "Textiles", "Software", "Consulting", "Builders", "Retail", "Analytics", "Networks", "Pharma",
    "Motors", "Partners", "Studios", "Solutions", "Industries", "Trading", "Security",
];

/// (industry, weight).
pub const INDUSTRIES: &[(&str, u32)] = &[
    ("Software", 18),
    ("Manufacturing", 14),
    ("Retail", 11),
    ("Healthcare", 10),
    ("Finance", 9),
    ("Logistics", 8),
    ("Media", 6),
    ("Energy", 5),
    ("Education", 5),
    ("Construction", 5),
    ("Hospitality", 4),
    ("Telecommunications", 5),
];

pub const JOB_TITLES: &[&str] = &[
    "Account Manager",
    "Operations Manager",
    "Procurement Manager",
    "Software Engineer",
    "Project Manager",
    "Head of Operations",
    "Marketing Manager",
    "Finance Director",
    "Buyer",
    "IT Director",
    "Office Manager",
    "Chief Executive Officer",
    "Analyst",
    "Head of IT",
    "Consultant",
    "Chief Technology Officer",
    "HR Manager",
    "Chief Financial Officer",
    "Assistant",
    "VP Sales",
];

pub const FREE_MAIL: &[&str] = &["gmail.com", "outlook.com", "web.de", "yahoo.com", "gmx.net"];

pub const VENDORS: &[&str] = &["Closewise", "HubTrack", "Zenlead", "Dealflow", "Pipewell"];

pub const CONSENT_SOURCES: &[&str] = &[
    "newsletter form",
    "webinar registration",
    "trade fair",
    "contract",
];

/// (category, weight, subjects).
pub const TICKET_KINDS: &[(&str, u32, &[&str])] = &[
    (
        "how-to",
        26,
        &[
            "How do I add a user?",
            "How to change the pipeline stages",
            "Where do I find the reports?",
            "How to export our contacts",
        ],
    ),
    (
        "bug",
        22,
        &[
            "Export fails with an error",
            "Dashboard does not load",
            "Sync stopped working",
            "Search returns no results",
        ],
    ),
    (
        "billing",
        18,
        &[
            "Invoice shows the wrong amount",
            "Refund for a double charge",
            "Change the billing address",
            "VAT number missing on the invoice",
        ],
    ),
    (
        "account",
        12,
        &[
            "Reset two-factor authentication",
            "Add seats to our plan",
            "Cancel the subscription",
        ],
    ),
    (
        "onboarding",
        10,
        &[
            "Help setting up the account",
            "Import of our customer list",
            "Training session for the team",
        ],
    ),
    (
        "integration",
        8,
        &[
            "Webhook not delivered",
            "API rate limit reached",
            "Calendar sync duplicates events",
        ],
    ),
    (
        "outage",
        4,
        &["Service unavailable", "Login page times out"],
    ),
];

pub const TICKET_DESCRIPTIONS: &[&str] = &[
    "Reported through the support portal.",
    "Customer called the hotline.",
    "Raised by email.",
    "Reported in the chat widget.",
];

pub const CALLS: &[&str] = &[
    "Intro call",
    "Follow-up call",
    "Discovery call",
    "Check-in call",
    "Pricing discussion",
];
pub const EMAILS: &[&str] = &[
    "Sent the proposal",
    "Replied to the customer",
    "Sent the contract",
    "Follow-up email",
    "Shared case studies",
];
pub const MEETINGS: &[&str] = &[
    "Product demo",
    "On-site meeting",
    "Quarterly business review",
    "Kick-off meeting",
];
pub const NOTES: &[&str] = &[
    "Budget approved for next quarter",
    "Decision expected next month",
    "Prefers email over calls",
    "Evaluating two competitors",
    "New stakeholder joined the project",
];
pub const TASKS: &[&str] = &[
    "Send the proposal",
    "Prepare the demo",
    "Call back about pricing",
    "Update the contract draft",
    "Schedule the business review",
];

pub const NEW_BUSINESS_PRODUCTS: &[&str] = &[
    "Platform licence",
    "Analytics add-on",
    "Premium support",
    "Onboarding package",
    "Extra seats",
];
pub const RENEWAL_PRODUCTS: &[&str] = &["Annual renewal", "Support renewal"];

/// Deal names: "<company> — <what>".
pub const DEAL_KINDS: &[&str] = &["Platform", "Expansion", "Pilot", "Support plan", "Rollout"];

/// (name, colour).
pub const TAGS: &[(&str, &str)] = &[
    ("vip", "#d4a017"),
    ("enterprise", "#1f6feb"),
    ("smb", "#2da44e"),
    ("partner", "#8250df"),
    ("at-risk", "#cf222e"),
    ("upsell", "#bf8700"),
    ("reference", "#0969da"),
    ("newsletter", "#57606a"),
    ("trial", "#1a7f37"),
    ("strategic", "#6639ba"),
    ("inactive", "#8c959f"),
    ("churn-watch", "#a40e26"),
];

pub const SURVEY_COMMENTS: &[&str] = &[
    "Quick and friendly help.",
    "Took too long to get an answer.",
    "The problem is still there.",
    "Great product, fair price.",
    "Support solved it in minutes.",
];
