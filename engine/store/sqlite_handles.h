#pragma once
// RAII for SQLite's two handles, in the style of compute/cl_handles.h: a connection closes when its
// owner goes, a prepared statement is finalised with it and reset after every use (Statement::
// Use), so a kept statement never holds a read transaction open between calls.

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace sl::store {

struct SqliteCloser {
    void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using SqliteDb = std::unique_ptr<sqlite3, SqliteCloser>;

struct StatementFinalizer {
    void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};

class Statement {
public:
    Statement() = default;
    Statement(sqlite3* db, std::string_view sql);   // throws SqliteError on a bad statement

    sqlite3_stmt* get() const { return stmt_.get(); }
    explicit operator bool() const { return stmt_ != nullptr; }

    // A use of the statement: binds, steps, reads columns; resets and clears the bindings when it
    // goes, on every path (an exception mid-row included).
    class Use {
    public:
        explicit Use(const Statement& s) : s_(s.get()) {}
        ~Use() {
            sqlite3_reset(s_);
            sqlite3_clear_bindings(s_);
        }
        Use(const Use&) = delete;
        Use& operator=(const Use&) = delete;

        Use& bind(int i, int64_t v);
        Use& bind(int i, double v);
        Use& bind(int i, std::string_view v);
        // Text that outlives the statement's use (no copy into SQLite).
        Use& bindStatic(int i, std::string_view v);
        Use& bindNull(int i);
        // SQLITE_ROW -> true, SQLITE_DONE -> false, anything else throws SqliteError.
        bool step();
        void run() {
            while (step()) {
            }
        }
        int64_t i64(int col) const { return sqlite3_column_int64(s_, col); }
        double f64(int col) const { return sqlite3_column_double(s_, col); }
        bool isNull(int col) const { return sqlite3_column_type(s_, col) == SQLITE_NULL; }
        std::string text(int col) const;

    private:
        sqlite3_stmt* s_;
    };

private:
    std::unique_ptr<sqlite3_stmt, StatementFinalizer> stmt_;
};

// A failed SQLite call inside the store; the store turns it into a Status naming the project.
struct SqliteError {
    int code;
    std::string message;
};
[[noreturn]] void throwSqlite(sqlite3* db, const std::string& what);
void exec(sqlite3* db, const std::string& sql);   // throws SqliteError

// BEGIN IMMEDIATE ... COMMIT, rolled back when it goes uncommitted (an exception): every edit and
// every import is one of these. IMMEDIATE takes the write lock at the start, so a second writer
// waits on the busy timeout instead of failing at its first write with SQLITE_BUSY.
class Transaction {
public:
    explicit Transaction(sqlite3* db);
    ~Transaction();
    void commit();
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;

private:
    sqlite3* db_;
    bool done_ = false;
};

}  // namespace sl::store
