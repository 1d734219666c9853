// Word lists behind the template helpers (name.firstName, address.city,
// lorem.word, ...): small, embedded, English, ASCII only, with no character
// that would need escaping inside a JSON string.
//
// Thread-safety: immutable data.
#ifndef GAMELAKE_GENERATOR_WORD_LISTS_H_
#define GAMELAKE_GENERATOR_WORD_LISTS_H_

#include <span>
#include <string_view>

namespace gamelake::words {

using List = std::span<const std::string_view>;

List FirstNames();
List LastNames();
List Countries();
List CountryCodes();
List Cities();
List States();
List StreetSuffixes();
List LoremWords();
List RandomWords();  // random.word: lorem plus commerce words.
List ProductAdjectives();
List ProductMaterials();
List Products();
List Departments();
List Colors();
List EmailProviders();
List DomainSuffixes();
List Weekdays();
List Months();

}  // namespace gamelake::words

#endif  // GAMELAKE_GENERATOR_WORD_LISTS_H_
