// Seeded generator of contract-shaped exports and the in-memory reference model of section 5.
#include "support/export_generator.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <set>

namespace fftest {

namespace {

// Howard Hinnant's civil-date algorithms.
long long days_from_civil(long long y, unsigned m, unsigned d) {
    y -= m <= 2;
    const long long era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<long long>(doe) - 719468;
}

void civil_from_days(long long z, int& y, unsigned& m, unsigned& d) {
    z += 719468;
    const long long era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    d = doy - (153 * mp + 2) / 5 + 1;
    m = mp < 10 ? mp + 3 : mp - 9;
    y = static_cast<int>(yoe + era * 400 + (m <= 2));
}

std::string fmt_civil(Ts t, const char* sep, const char* suffix) {
    long long days = t / 86400;
    long long secs = t % 86400;
    if (secs < 0) {
        secs += 86400;
        --days;
    }
    int y;
    unsigned m, d;
    civil_from_days(days, y, m, d);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u%s%02lld:%02lld:%02lld%s", y, m, d, sep,
                  secs / 3600, secs / 60 % 60, secs % 60, suffix);
    return buf;
}

void append_field(std::string& out, const char* name, const std::string& json_value) {
    if (out.size() > 1) out += ", ";
    out += '"';
    out += name;
    out += "\": ";
    out += json_value;
}

std::string q(const std::string& s) {
    return "\"" + s + "\"";
}

}  // namespace

std::string format_ts(Ts t, int style) {
    switch (style % 3) {
        case 0:
            return fmt_civil(t, "T", "Z");
        case 1:
            return fmt_civil(t + 3 * 3600, " ", "");
        default:
            return fmt_civil(t + 3 * 3600, "T", "+03:00");
    }
}

std::optional<Ts> parse_ts(std::string_view text) {
    int y, mo, d, h, mi, s;
    char sep;
    std::string str(text);
    if (std::sscanf(str.c_str(), "%4d-%2d-%2d%c%2d:%2d:%2d", &y, &mo, &d, &sep, &h, &mi, &s) != 7) {
        return std::nullopt;
    }
    Ts t = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * 86400 +
           h * 3600 + mi * 60 + s;
    const std::string rest = str.substr(19);
    if (rest == "Z") return t;
    if (rest.empty() || rest == "+03:00") return t - 3 * 3600;
    return std::nullopt;
}

GenRow ExportGenerator::row(long long id, std::optional<Ts> updated_at,
                            std::optional<Ts> deleted_at) {
    static const char* plates[] = {"KDA 123A",         "kda123a", " KDA-123A ",
                                   "KBZ 456B/ZF 1234", "KCX 9Z",  ""};
    static const char* drivers[] = {"John Kamau", " john kamau ", "Wanjiru  Njeri", "Otieno"};
    static const char* departments[] = {"Logistics", "logistics ", "LOGISTICS",
                                        "Sales  & Distribution"};
    static const char* litres[] = {"45.5",         "\"45.5\"", "\"1,045.50\"", "\"45.5 L\"",
                                   "\"45.5ltrs\"", "null",     "\"lots\""};
    static const char* prices[] = {"180.5", "\"180.50\"", "\"KES 180.50\"", "null"};
    static const char* amounts[] = {"8212.75",      "\"8,212.75\"", "\"KES 8,212.75\"",
                                    "\"Ksh 8212\"", "\"8212/=\"",   "null"};
    static const char* odometers[] = {"123456", "\"123,456 km\"", "\"123456KM\"", "0", "null"};
    static const char* fuel_types[] = {"\"diesel\"", "\"Diesel\"",   "\"AGO\"",     "\"PMS\"",
                                       "\"super\"",  "\"unleaded\"", "\"kerosene\""};
    static const char* payments[] = {"\"card\"", "\"cash\"", "\"M-Pesa\"", "\"mpesa\"",
                                     "\"Fuel Card\""};
    static const char* tanks[] = {"true", "\"yes\"", "\"no\"", "\"Y\"", "1", "null", "\"maybe\""};
    static const char* notes[] = {"\"\"", "\"Jaza tank 🚚\"", "\"cafe\\u0301 na chai\"",
                                  "\"quote \\\" inside\"", "\"Ωmega ✓\""};

    const Ts reported = updated_at.value_or(kBaseTime) - 3600 * pick(48);
    std::string fill_date;
    {
        const std::string iso = format_ts(reported, 0).substr(0, 10);
        switch (pick(6)) {
            case 0:
                fill_date = q(iso);
                break;
            case 1:
                fill_date = q(iso.substr(8, 2) + "/" + iso.substr(5, 2) + "/" + iso.substr(0, 4));
                break;
            case 2:
                fill_date = q(iso.substr(8, 2) + "-" + iso.substr(5, 2) + "-" + iso.substr(0, 4));
                break;
            case 3:
                fill_date = q(iso + "T00:00:00Z");
                break;
            case 4:
                fill_date = "\"\"";
                break;
            default:
                fill_date = "\"31/31/2026\"";
                break;
        }
    }
    GenRow r;
    r.id = id;
    r.updated_at = updated_at;
    r.deleted_at = deleted_at;
    std::string out = "{";
    append_field(out, "id", pick(5) == 0 ? q(std::to_string(id)) : std::to_string(id));
    append_field(out, "message_id", q("wamid.HBgM" + std::to_string(rng_() % 1000000)));
    append_field(out, "reported_at", q(format_ts(reported, pick(3))));
    append_field(out, "fill_date", fill_date);
    append_field(out, "vehicle_reg", q(plates[pick(6)]));
    append_field(out, "driver_name", q(drivers[pick(4)]));
    append_field(out, "department", pick(6) == 0 ? "null" : q(departments[pick(4)]));
    append_field(out, "litres", litres[pick(7)]);
    append_field(out, "price_per_litre", prices[pick(4)]);
    append_field(out, "amount", amounts[pick(6)]);
    append_field(out, "odometer", odometers[pick(5)]);
    append_field(out, "station", q("Shell Westlands"));
    append_field(out, "fuel_type", fuel_types[pick(7)]);
    append_field(out, "payment_method", payments[pick(5)]);
    append_field(out, "receipt_no", q("R-" + std::to_string(rng_() % 100000)));
    append_field(out, "full_tank", tanks[pick(7)]);
    append_field(out, "notes", notes[pick(5)]);
    append_field(out, "created_at", q(format_ts(reported, pick(3))));
    if (updated_at) append_field(out, "updated_at", q(format_ts(*updated_at, pick(3))));
    append_field(out, "deleted_at", deleted_at ? q(format_ts(*deleted_at, pick(3))) : "null");
    if (pick(3) == 0) append_field(out, "x_source_app", "{\"v\": [1, 2, \"three\"]}");
    out += "}";
    r.json = std::move(out);
    return r;
}

GenRow ExportGenerator::unreadable_row(std::optional<long long> id) {
    GenRow r;
    r.unreadable = true;
    r.id = id.value_or(0);
    r.id_unreadable = !id;
    if (!id) {
        static const char* kNoId[] = {R"({"notes": "fill \ud83d", "litres": 45})",
                                      R"({"id": 17.5, "litres": "\udc00"})",
                                      R"({"id": {"n": 3}, "litres": 1e999999})"};
        r.json = kNoId[pick(3)];
        return r;
    }
    const std::string n = std::to_string(*id);
    switch (pick(4)) {
        case 0:
            r.json = "{\"id\": " + n + R"(, "notes": "fill \ud83d", "litres": 45})";  // cut emoji
            break;
        case 1:
            r.json = "{\"id\": " + n + ", \"notes\": \"caf\xC3\", \"litres\": 45}";  // bad UTF-8
            break;
        case 2:
            r.json = "{\"id\": " + n + ", \"litres\": 1e999999}";  // beyond numeric's range
            break;
        default:
            r.json = "{\"id\": " + n + ".0, \"litres\": 4}";  // an id that is not an integer
            break;
    }
    return r;
}

std::string ExportGenerator::snapshot_object(const std::vector<GenRow>& rows, Ts exported_at,
                                             std::optional<long long> row_count) {
    std::string out = "{\"table\": \"logistics_department.fuel_records\", \"exported_at\": " +
                      q(format_ts(exported_at, 0)) + ", \"row_count\": " +
                      std::to_string(row_count.value_or(static_cast<long long>(rows.size()))) +
                      ",\n \"rows\": [";
    for (std::size_t i = 0; i < rows.size(); ++i) {
        out += i ? ",\n  " : "\n  ";
        out += rows[i].json;
    }
    out += "\n]}\n";
    return out;
}

std::string ExportGenerator::snapshot_bare(const std::vector<GenRow>& rows) {
    std::string out = "[";
    for (std::size_t i = 0; i < rows.size(); ++i) {
        out += i ? ",\n" : "\n";
        out += rows[i].json;
    }
    out += "\n]\n";
    return out;
}

std::string ExportGenerator::mixed_case(std::string_view op) {
    std::string out(op);
    for (char& c : out) {
        if (pick(2)) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    return out;
}

std::string ExportGenerator::change_file(const std::vector<GenChange>& changes, bool bare) {
    std::string out =
        bare ? "[" : "{\"table\": \"logistics_department.fuel_records\", \"changes\": [";
    for (std::size_t i = 0; i < changes.size(); ++i) {
        const GenChange& c = changes[i];
        out += i ? ",\n" : "\n";
        out += "{\"op\": " + q(c.op) + ", \"id\": " + std::to_string(c.id);
        if (c.changed_at) out += ", \"changed_at\": " + q(format_ts(*c.changed_at, pick(3)));
        out += ", \"row\": " + (c.row ? c.row->json : std::string("null")) + "}";
    }
    out += bare ? "\n]\n" : "\n]}\n";
    return out;
}

long long ReferenceModel::live_count() const {
    return std::count_if(rows_.begin(), rows_.end(),
                         [](const auto& kv) { return !kv.second.deleted_at; });
}

ModelCounts ReferenceModel::apply_snapshot(const std::vector<GenRow>& rows, Ts exported_at,
                                           bool force, double max_delete_fraction) {
    ModelCounts c;
    // id -> index of its last occurrence, readable or not: the one that decides. An unreadable
    // row whose id can be read is present (never missing) but not written: when it is its id's
    // last occurrence, the stored row stays as it is.
    std::map<long long, std::size_t> last;
    long long readable = 0;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        if (rows[i].unreadable) {
            ++c.rejected;
            if (rows[i].id_unreadable) {
                ++c.unidentified;
                continue;
            }
        } else {
            ++readable;
        }
        last[rows[i].id] = i;
    }
    // Readable rows that a later occurrence of their id overrides.
    long long deciding_readable = 0;
    for (const auto& [id, index] : last) deciding_readable += !rows[index].unreadable;
    c.duplicates = readable - deciding_readable;

    enum class Act { insert, update, undelete, soft_delete, unchanged, stale };
    std::vector<std::pair<long long, Act>> plan;
    for (const auto& [id, index] : last) {
        const GenRow& in = rows[index];
        if (in.unreadable) continue;
        const Ts v = in.updated_at.value_or(kNegInf);
        auto it = rows_.find(id);
        Act act;
        if (it == rows_.end())
            act = Act::insert;
        else if (!it->second.tombstone && it->second.raw == in.json &&
                 it->second.deleted_at.has_value() == in.deleted_at.has_value())
            act = Act::unchanged;  // same content, same liveness: nothing to do
        else if (it->second.change_batch_at && *it->second.change_batch_at > exported_at)
            act = Act::stale;
        else if (v < it->second.version)
            act = Act::stale;
        else if (it->second.deleted_at && !in.deleted_at)
            act = Act::undelete;
        else if (!it->second.deleted_at && in.deleted_at)
            act = Act::soft_delete;
        else
            act = Act::update;
        plan.emplace_back(id, act);
    }
    std::vector<long long> missing;
    for (const auto& [id, r] : rows_) {
        if (r.deleted_at || last.count(id)) continue;
        if (r.version > exported_at) continue;
        if (r.change_batch_at && *r.change_batch_at > exported_at) continue;
        missing.push_back(id);
    }
    // Any stored row may be one whose id could not be read: none is missing in this run.
    if (c.unidentified > 0) {
        c.deletes_withheld = static_cast<long long>(missing.size());
        missing.clear();
    }
    long long soft = 0;
    for (const auto& p : plan) soft += p.second == Act::soft_delete;
    const long long live = live_count();
    if (last_exported_at_ && exported_at < *last_exported_at_)
        c.refused = "older_snapshot";
    else if (live > 0 && rows.empty())
        c.refused = "empty";
    else if (live > 0 && static_cast<double>(missing.size() + soft) > max_delete_fraction * live)
        c.refused = "mass_delete";
    if (!c.refused.empty() && !force) return c;

    for (const auto& [id, act] : plan) {
        const GenRow& in = rows[last[id]];
        switch (act) {
            case Act::unchanged:
                ++c.unchanged;
                continue;
            case Act::stale:
                ++c.stale;
                continue;
            case Act::insert:
                ++c.inserted;
                break;
            case Act::update:
                ++c.updated;
                break;
            case Act::undelete:
                ++c.undeleted;
                break;
            case Act::soft_delete:
                ++c.soft_deleted;
                break;
        }
        ExpectedRow& r = rows_[id];
        r.raw = in.json;
        r.tombstone = false;
        r.version = in.updated_at.value_or(kNegInf);
        r.deleted_at = in.deleted_at;
        r.deleted_reason = in.deleted_at ? "source" : "";
    }
    for (long long id : missing) {
        rows_[id].deleted_at = exported_at;
        rows_[id].deleted_reason = "missing_from_snapshot";
        ++c.soft_deleted;
    }
    last_exported_at_ = exported_at;
    return c;
}

ModelCounts ReferenceModel::apply_changes(const std::vector<GenChange>& changes, Ts file_time) {
    ModelCounts c;
    std::set<long long> changed;
    for (const GenChange& change : changes) {
        if (!changed.insert(change.id).second) ++c.duplicates;
        apply_change(change, file_time, c);
    }
    return c;
}

// Contract section 5, one change against the state by then. A version is the row's updated_at,
// a delete's changed_at, else the oldest possible; the change's time (deleted_at of a delete,
// the change-batch time) is its changed_at, else the file's Last-Modified.
void ReferenceModel::apply_change(const GenChange& ch, Ts file_time, ModelCounts& c) {
    std::string op = ch.op;
    for (char& x : op) x = static_cast<char>(std::tolower(static_cast<unsigned char>(x)));
    const bool is_delete = op == "delete";
    const Ts at = ch.changed_at.value_or(file_time);
    const Ts v = is_delete ? ch.changed_at.value_or(kNegInf) : ch.row->updated_at.value_or(kNegInf);
    auto it = rows_.find(ch.id);
    if (it == rows_.end()) {
        ExpectedRow r;
        if (is_delete) {
            // Never seen: a deleted row, with the delete's row when it carries one.
            r.raw = ch.row ? ch.row->json : "{}";
            r.tombstone = !ch.row;
            r.deleted_at = at;
            r.deleted_reason = "delete_op";
            ++c.soft_deleted;
        } else {
            r.raw = ch.row->json;
            r.deleted_at = ch.row->deleted_at;
            r.deleted_reason = ch.row->deleted_at ? "source" : "";
            ++c.inserted;
        }
        r.version = v;
        r.change_batch_at = at;
        rows_.emplace(ch.id, std::move(r));
        return;
    }
    ExpectedRow& r = it->second;
    if (v < r.version) {
        ++c.stale;
        return;
    }
    if (is_delete) {
        // A delete carries its own version, also on a row already deleted. The liveness marker
        // is the source's deleted_at when the source set one, else the delete's time.
        if (!r.deleted_at) {
            ++c.soft_deleted;
        } else if (v == r.version && (r.deleted_reason == "source" ||
                                      (r.deleted_reason == "delete_op" && *r.deleted_at == at))) {
            ++c.unchanged;
            return;
        } else {
            ++c.updated;
        }
        if (r.deleted_reason != "source") {
            r.deleted_at = at;
            r.deleted_reason = "delete_op";
        }
        r.version = v;
        r.change_batch_at = std::max(r.change_batch_at.value_or(kNegInf), at);
        return;
    }
    const GenRow& in = *ch.row;
    // Equal version, equal content: nothing, whatever the liveness marker says.
    if (v == r.version && !r.tombstone && r.raw == in.json) {
        ++c.unchanged;
        return;
    }
    if (r.deleted_at && !in.deleted_at)
        ++c.undeleted;
    else if (!r.deleted_at && in.deleted_at)
        ++c.soft_deleted;
    else
        ++c.updated;
    r.raw = in.json;
    r.tombstone = false;
    r.version = v;
    r.deleted_at = in.deleted_at;
    r.deleted_reason = in.deleted_at ? "source" : "";
    r.change_batch_at = std::max(r.change_batch_at.value_or(kNegInf), at);
}

}  // namespace fftest
