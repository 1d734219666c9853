#include "generator/word_lists.h"

namespace gamelake::words {
namespace {

constexpr std::string_view kFirstNames[] = {
    "Aaliyah", "Adam",  "Aiden",  "Alex",   "Alice", "Amara", "Amelia", "Andre",  "Anna",   "Arjun",
    "Ava",     "Ben",   "Bianca", "Carlos", "Chen",  "Chloe", "Daniel", "Diego",  "Elena",  "Eli",
    "Emma",    "Ethan", "Fatima", "Felix",  "Grace", "Hana",  "Hugo",   "Isabel", "Ivan",   "Jack",
    "Jamal",   "Jia",   "Julia",  "Kai",    "Kenji", "Lara",  "Leo",    "Liam",   "Lucas",  "Luna",
    "Maya",    "Mateo", "Mia",    "Nadia",  "Noah",  "Nora",  "Olivia", "Omar",   "Oscar",  "Priya",
    "Rafael",  "Rosa",  "Ryan",   "Sara",   "Sofia", "Tariq", "Theo",   "Uma",    "Victor", "Wei",
    "Yara",    "Yusuf", "Zoe",    "Zara"};

constexpr std::string_view kLastNames[] = {
    "Abbott",   "Alvarez",  "Anders",   "Baker",  "Bauer",    "Becker",  "Brown",   "Carter",
    "Chen",     "Cohen",    "Costa",    "Davis",  "Dubois",   "Evans",   "Fischer", "Garcia",
    "Gonzalez", "Gupta",    "Hall",     "Hansen", "Hughes",   "Ito",     "Jensen",  "Johnson",
    "Kim",      "Kowalski", "Kumar",    "Larsen", "Lee",      "Lopez",   "Martin",  "Meyer",
    "Miller",   "Moreau",   "Nakamura", "Nguyen", "Novak",    "Okafor",  "Olsen",   "Park",
    "Patel",    "Perez",    "Petrov",   "Rossi",  "Santos",   "Schmidt", "Silva",   "Singh",
    "Smith",    "Sousa",    "Suzuki",   "Tanaka", "Taylor",   "Thomas",  "Walker",  "Wang",
    "Weber",    "White",    "Wilson",   "Wong",   "Yamamoto", "Young",   "Zhang",   "Zimmer"};

constexpr std::string_view kCountries[] = {
    "Argentina",     "Australia",   "Austria",     "Belgium",      "Brazil",      "Canada",
    "Chile",         "China",       "Colombia",    "Czechia",      "Denmark",     "Egypt",
    "Finland",       "France",      "Germany",     "Greece",       "India",       "Indonesia",
    "Ireland",       "Israel",      "Italy",       "Japan",        "Kenya",       "Mexico",
    "Morocco",       "Netherlands", "New Zealand", "Nigeria",      "Norway",      "Peru",
    "Philippines",   "Poland",      "Portugal",    "South Africa", "South Korea", "Spain",
    "Sweden",        "Switzerland", "Thailand",    "Turkey",       "Ukraine",     "United Kingdom",
    "United States", "Vietnam"};

constexpr std::string_view kCountryCodes[] = {
    "AR", "AU", "AT", "BE", "BR", "CA", "CL", "CN", "CO", "CZ", "DK", "EG", "FI", "FR", "DE",
    "GR", "IN", "ID", "IE", "IL", "IT", "JP", "KE", "MX", "MA", "NL", "NZ", "NG", "NO", "PE",
    "PH", "PL", "PT", "ZA", "KR", "ES", "SE", "CH", "TH", "TR", "UA", "GB", "US", "VN"};

constexpr std::string_view kCities[] = {
    "Amsterdam",   "Athens",     "Austin",    "Bangkok",      "Barcelona",   "Berlin",
    "Bogota",      "Boston",     "Brisbane",  "Buenos Aires", "Cairo",       "Cape Town",
    "Chicago",     "Copenhagen", "Delhi",     "Dublin",       "Helsinki",    "Istanbul",
    "Jakarta",     "Kyiv",       "Lagos",     "Lima",         "Lisbon",      "London",
    "Los Angeles", "Madrid",     "Manila",    "Melbourne",    "Mexico City", "Milan",
    "Montreal",    "Mumbai",     "Munich",    "Nairobi",      "Oslo",        "Osaka",
    "Paris",       "Prague",     "Rome",      "Santiago",     "Sao Paulo",   "Seattle",
    "Seoul",       "Shanghai",   "Singapore", "Stockholm",    "Sydney",      "Tokyo",
    "Toronto",     "Vancouver",  "Vienna",    "Warsaw",       "Zurich"};

constexpr std::string_view kStates[] = {
    "Alabama", "Alaska",  "Arizona",  "California", "Colorado",  "Florida",
    "Georgia", "Hawaii",  "Illinois", "Kansas",     "Maine",     "Michigan",
    "Montana", "Nevada",  "New York", "Ohio",       "Oregon",    "Texas",
    "Utah",    "Vermont", "Virginia", "Washington", "Wisconsin", "Wyoming"};

constexpr std::string_view kStreetSuffixes[] = {"Street", "Avenue", "Road",  "Lane",  "Drive",
                                                "Way",    "Court",  "Place", "Plaza", "Square"};

constexpr std::string_view kLoremWords[] = {
    "alias",       "consequatur", "aut",       "perferendis", "sit",      "voluptatem",
    "accusantium", "doloremque",  "aperiam",   "eaque",       "ipsa",     "quae",
    "ab",          "illo",        "inventore", "veritatis",   "et",       "quasi",
    "architecto",  "beatae",      "vitae",     "dicta",       "sunt",     "explicabo",
    "aspernatur",  "odit",        "fugit",     "sed",         "quia",     "magni",
    "dolores",     "eos",         "qui",       "ratione",     "sequi",    "nesciunt",
    "neque",       "dolorem",     "ipsum",     "dolor",       "amet",     "consectetur",
    "adipisci",    "velit",       "numquam",   "eius",        "modi",     "tempora",
    "incidunt",    "ut",          "labore",    "dolore",      "magnam",   "aliquam",
    "quaerat",     "enim",        "minima",    "veniam",      "nostrum",  "exercitationem",
    "ullam",       "corporis",    "nemo",      "ipsam",       "voluptas", "laboriosam"};

constexpr std::string_view kRandomWords[] = {
    "alias",    "aperiam",  "beatae",    "dolor",    "ipsum",     "magni",       "quia",
    "sequi",    "tempora",  "velit",     "Awesome",  "Ergonomic", "Handcrafted", "Rustic",
    "Sleek",    "Small",    "Tasty",     "Chair",    "Table",     "Shirt",       "Gloves",
    "Keyboard", "Mouse",    "Bike",      "Ball",     "Salad",     "bandwidth",   "portal",
    "firewall", "protocol", "interface", "matrix",   "pixel",     "circuit",     "monitor",
    "sensor",   "driver",   "system",    "program",  "feed",      "array",       "capacitor",
    "Granite",  "Steel",    "Wooden",    "Concrete", "Plastic",   "Cotton",      "Soft",
    "Fresh",    "Frozen",   "orchid",    "cyan",     "indigo",    "maroon",      "salmon"};

constexpr std::string_view kProductAdjectives[] = {
    "Small",     "Ergonomic", "Rustic",  "Intelligent", "Gorgeous", "Incredible",
    "Fantastic", "Practical", "Sleek",   "Awesome",     "Generic",  "Handcrafted",
    "Handmade",  "Licensed",  "Refined", "Unbranded",   "Tasty"};

constexpr std::string_view kProductMaterials[] = {"Steel",  "Wooden",  "Concrete", "Plastic",
                                                  "Cotton", "Granite", "Rubber",   "Metal",
                                                  "Soft",   "Fresh",   "Frozen"};

constexpr std::string_view kProducts[] = {
    "Chair",   "Car",   "Computer", "Keyboard", "Mouse", "Bike",   "Ball",     "Gloves",
    "Pants",   "Shirt", "Table",    "Shoes",    "Hat",   "Towels", "Soap",     "Tuna",
    "Chicken", "Fish",  "Cheese",   "Bacon",    "Pizza", "Salad",  "Sausages", "Chips"};

constexpr std::string_view kDepartments[] = {
    "Books", "Movies",   "Music",  "Games",    "Electronics", "Computers", "Home", "Garden",
    "Tools", "Grocery",  "Health", "Beauty",   "Toys",        "Kids",      "Baby", "Clothing",
    "Shoes", "Jewelery", "Sports", "Outdoors", "Automotive",  "Industrial"};

constexpr std::string_view kColors[] = {
    "red",      "green",  "blue",    "yellow", "purple", "mint green", "teal",      "white",
    "black",    "orange", "pink",    "grey",   "maroon", "violet",     "turquoise", "tan",
    "sky blue", "salmon", "plum",    "orchid", "olive",  "magenta",    "lime",      "ivory",
    "indigo",   "gold",   "fuchsia", "cyan",   "azure",  "lavender",   "silver"};

constexpr std::string_view kEmailProviders[] = {"gmail.com", "yahoo.com", "hotmail.com"};

constexpr std::string_view kDomainSuffixes[] = {"com", "net", "org", "biz", "info", "io", "name"};

constexpr std::string_view kWeekdays[] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                          "Thursday", "Friday", "Saturday"};

constexpr std::string_view kMonths[] = {"January",   "February", "March",    "April",
                                        "May",       "June",     "July",     "August",
                                        "September", "October",  "November", "December"};

}  // namespace

List FirstNames() { return kFirstNames; }
List LastNames() { return kLastNames; }
List Countries() { return kCountries; }
List CountryCodes() { return kCountryCodes; }
List Cities() { return kCities; }
List States() { return kStates; }
List StreetSuffixes() { return kStreetSuffixes; }
List LoremWords() { return kLoremWords; }
List RandomWords() { return kRandomWords; }
List ProductAdjectives() { return kProductAdjectives; }
List ProductMaterials() { return kProductMaterials; }
List Products() { return kProducts; }
List Departments() { return kDepartments; }
List Colors() { return kColors; }
List EmailProviders() { return kEmailProviders; }
List DomainSuffixes() { return kDomainSuffixes; }
List Weekdays() { return kWeekdays; }
List Months() { return kMonths; }

}  // namespace gamelake::words
