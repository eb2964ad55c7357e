-- Descriptions of the catalogue tables that run_query can read, shown by list_tables,
-- get_table_schema and the flightly://tables/{name} resources.

COMMENT ON TABLE airports IS 'Airports served in the catalogue, keyed by their three-letter IATA code.';
COMMENT ON COLUMN airports.iata IS 'Three-letter IATA airport code (primary key).';
COMMENT ON COLUMN airports.name IS 'Official airport name.';
COMMENT ON COLUMN airports.city IS 'City the airport serves.';
COMMENT ON COLUMN airports.country IS 'ISO 3166-1 alpha-2 country code.';
COMMENT ON COLUMN airports.lat IS 'Latitude in decimal degrees.';
COMMENT ON COLUMN airports.lon IS 'Longitude in decimal degrees.';
COMMENT ON COLUMN airports.timezone IS 'IANA time zone of the airport (local times of departures and arrivals).';

COMMENT ON TABLE airlines IS 'Airlines that operate catalogue flights, keyed by their two-character IATA code.';
COMMENT ON COLUMN airlines.code IS 'Two-character IATA airline designator (primary key).';
COMMENT ON COLUMN airlines.name IS 'Airline name.';

COMMENT ON TABLE flights IS 'Scheduled one-way flights with fare and seat availability; one row per departure.';
COMMENT ON COLUMN flights.airline IS 'Operating airline (airlines.code).';
COMMENT ON COLUMN flights.flight_number IS 'Marketing flight number, airline code followed by digits.';
COMMENT ON COLUMN flights.origin IS 'Departure airport (airports.iata).';
COMMENT ON COLUMN flights.destination IS 'Arrival airport (airports.iata).';
COMMENT ON COLUMN flights.depart_at IS 'Scheduled departure time (UTC).';
COMMENT ON COLUMN flights.arrive_at IS 'Scheduled arrival time (UTC).';
COMMENT ON COLUMN flights.price_cents IS 'Fare per passenger in US cents.';
COMMENT ON COLUMN flights.seats_total IS 'Seats on the aircraft.';
COMMENT ON COLUMN flights.seats_available IS 'Seats still bookable.';

COMMENT ON TABLE hotels IS 'Hotels near catalogue airports with nightly rate, star class and guest rating.';
COMMENT ON COLUMN hotels.name IS 'Hotel name.';
COMMENT ON COLUMN hotels.iata IS 'Nearest catalogue airport (airports.iata).';
COMMENT ON COLUMN hotels.city IS 'City the hotel is in.';
COMMENT ON COLUMN hotels.stars IS 'Official star class, 1 to 5.';
COMMENT ON COLUMN hotels.price_per_night_cents IS 'Nightly rate for a standard room in US cents.';
COMMENT ON COLUMN hotels.rating IS 'Average guest rating out of 5.';
COMMENT ON COLUMN hotels.family_friendly IS 'Whether the hotel caters for families with children.';
COMMENT ON COLUMN hotels.amenities IS 'Amenities offered, such as pool or wifi.';

COMMENT ON TABLE knowledge_documents IS 'Travel policies, FAQs and destination guides that answer customer questions; searched by meaning through their embeddings.';
COMMENT ON COLUMN knowledge_documents.slug IS 'Stable identifier of the document, used in flightly://knowledge/{slug}.';
COMMENT ON COLUMN knowledge_documents.title IS 'Document title.';
COMMENT ON COLUMN knowledge_documents.body IS 'Document text.';
COMMENT ON COLUMN knowledge_documents.kind IS 'policy, faq or guide.';
COMMENT ON COLUMN knowledge_documents.topic IS 'Subject such as baggage or refunds, when the document has one.';
COMMENT ON COLUMN knowledge_documents.city IS 'City a destination guide is about.';
COMMENT ON COLUMN knowledge_documents.iata IS 'Airport of the city a destination guide is about.';
COMMENT ON COLUMN knowledge_documents.embedding IS 'Embedding vector of the title and body for similarity search; large, rarely useful to read.';
COMMENT ON COLUMN knowledge_documents.updated_at IS 'When the document was last written.';
