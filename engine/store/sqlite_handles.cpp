#include "store/sqlite_handles.h"

namespace sl::store {

void throwSqlite(sqlite3* db, const std::string& what) {
    const int code = db ? sqlite3_extended_errcode(db) : SQLITE_ERROR;
    throw SqliteError{code, what + ": " + (db ? sqlite3_errmsg(db) : "no connection")};
}

void exec(sqlite3* db, const std::string& sql) {
    char* msg = nullptr;
    if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &msg) != SQLITE_OK) {
        std::string m = msg ? msg : sqlite3_errmsg(db);
        sqlite3_free(msg);
        throw SqliteError{sqlite3_extended_errcode(db), m};
    }
}

Statement::Statement(sqlite3* db, std::string_view sql) {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v3(db, sql.data(), int(sql.size()), SQLITE_PREPARE_PERSISTENT, &s,
                           nullptr) != SQLITE_OK)
        throwSqlite(db, "preparing '" + std::string(sql.substr(0, 60)) + "'");
    stmt_.reset(s);
}

Statement::Use& Statement::Use::bind(int i, int64_t v) {
    sqlite3_bind_int64(s_, i, v);
    return *this;
}

Statement::Use& Statement::Use::bind(int i, double v) {
    sqlite3_bind_double(s_, i, v);
    return *this;
}

Statement::Use& Statement::Use::bind(int i, std::string_view v) {
    sqlite3_bind_text(s_, i, v.data(), int(v.size()), SQLITE_TRANSIENT);
    return *this;
}

Statement::Use& Statement::Use::bindStatic(int i, std::string_view v) {
    sqlite3_bind_text(s_, i, v.data(), int(v.size()), SQLITE_STATIC);
    return *this;
}

Statement::Use& Statement::Use::bindNull(int i) {
    sqlite3_bind_null(s_, i);
    return *this;
}

bool Statement::Use::step() {
    const int rc = sqlite3_step(s_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    throwSqlite(sqlite3_db_handle(s_), "running '" + std::string(sqlite3_sql(s_)).substr(0, 60) +
                                           "'");
}

std::string Statement::Use::text(int col) const {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s_, col));
    return p ? std::string(p, size_t(sqlite3_column_bytes(s_, col))) : std::string();
}

Transaction::Transaction(sqlite3* db) : db_(db) { exec(db_, "BEGIN IMMEDIATE"); }

Transaction::~Transaction() {
    if (!done_) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
}

void Transaction::commit() {
    exec(db_, "COMMIT");
    done_ = true;
}

}  // namespace sl::store
