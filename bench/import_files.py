"""Companies and contacts as CSV for bench/import.sh: DIR COMPANIES CONTACTS."""
import csv
import random
import sys

out, companies, contacts = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
random.seed(7)
firsts = ["Anna", "Thomas", "Maria", "Michael", "Sarah", "David", "Laura", "James", "Julia", "Daniel", "Emma", "Peter"]
lasts = ["Smith", "Muller", "Schmidt", "Martin", "Garcia", "Johnson", "Schneider", "Fischer", "Brown", "Weber"]
with open(f"{out}/companies.csv", "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["externalId", "name", "domain", "industry", "city", "country", "createdAt"])
    for i in range(companies):
        w.writerow([f"co-{i}", f"Company {i} GmbH", f"company{i}.example", random.choice(["Retail", "Software", "Logistics"]),
                    "Berlin", "DE", f"2025-{1 + i % 12:02d}-{1 + i % 28:02d}T09:00:00Z"])
with open(f"{out}/contacts.csv", "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["externalId", "firstName", "lastName", "email", "jobTitle", "companyExternalId", "createdAt"])
    for i in range(contacts):
        fn, ln = random.choice(firsts), random.choice(lasts)
        w.writerow([f"ct-{i}", fn, ln, f"{fn.lower()}.{ln.lower()}.{i}@company{i % companies}.example", "Buyer",
                    f"co-{i % companies}", f"2025-{1 + i % 12:02d}-{1 + i % 28:02d}T10:00:00Z"])
