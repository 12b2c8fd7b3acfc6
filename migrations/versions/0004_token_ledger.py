"""Token ledger: the invariants the database keeps (issue 9).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26

Why: the ledger must never be wrong, even if a future code path (or a hand-written SQL
statement) forgets the rules the service follows. The database therefore keeps them:

- ``users.token_balance >= 0`` and ``token_transactions.balance_after >= 0`` (CHECKs).
- ``token_transactions.seq``: an identity column giving each user's rows a total order. Every
  balance change locks the user's row before inserting, so per user ``seq`` follows commit order
  (``created_at`` is the transaction's start time and does not).
- A deferred constraint trigger on new ledger rows checks, at commit, that the row follows from
  the user's previous row (``balance_after = previous balance_after ± amount``, starting at 0),
  which makes every ``balance_after`` equal to credits minus debits so far; and that
  ``users.token_balance`` equals the user's last ``balance_after``.
- The same check runs when ``users.token_balance`` is set (a balance change without its ledger row
  is refused at commit).
- The ledger is append-only: an UPDATE may only clear ``project_id`` / ``generation_task_id`` (the
  foreign keys' ON DELETE SET NULL), and rows are deleted only with their user (ON DELETE CASCADE).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_FUNCTIONS = """
CREATE FUNCTION token_ledger_check_user(uid uuid) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    bal integer;
    last_after integer;
BEGIN
    SELECT token_balance INTO bal FROM users WHERE id = uid;
    IF NOT FOUND THEN
        RETURN;  -- the user was deleted later in the same transaction
    END IF;
    SELECT balance_after INTO last_after FROM token_transactions WHERE user_id = uid ORDER BY seq DESC LIMIT 1;
    IF bal IS DISTINCT FROM COALESCE(last_after, 0) THEN
        RAISE EXCEPTION USING MESSAGE = 'token balance ' || bal || ' of user ' || uid
            || ' differs from the ledger''s last balance_after ' || COALESCE(last_after, 0),
            ERRCODE = 'check_violation', CONSTRAINT = 'token_ledger_balance';
    END IF;
END $$;

CREATE FUNCTION token_ledger_row_trg() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    prev integer;
    expected integer;
BEGIN
    SELECT balance_after INTO prev FROM token_transactions
        WHERE user_id = NEW.user_id AND seq < NEW.seq ORDER BY seq DESC LIMIT 1;
    expected := COALESCE(prev, 0) + (CASE WHEN NEW.transaction_type = 'CREDIT' THEN 1 ELSE -1 END) * NEW.amount;
    IF NEW.balance_after <> expected THEN
        RAISE EXCEPTION USING MESSAGE = 'ledger row ' || NEW.id || ' (' || NEW.transaction_type || ' ' || NEW.amount
            || ') does not follow from the previous balance ' || COALESCE(prev, 0),
            ERRCODE = 'check_violation', CONSTRAINT = 'token_ledger_chain';
    END IF;
    PERFORM token_ledger_check_user(NEW.user_id);
    RETURN NULL;
END $$;

CREATE FUNCTION token_balance_trg() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM token_ledger_check_user(NEW.id);
    RETURN NULL;
END $$;

CREATE FUNCTION token_ledger_append_only_trg() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF EXISTS (SELECT 1 FROM users WHERE id = OLD.user_id) THEN
            RAISE EXCEPTION USING MESSAGE = 'the token ledger is append-only: rows go only with their user',
                ERRCODE = 'check_violation', CONSTRAINT = 'token_ledger_append_only';
        END IF;
        RETURN OLD;
    END IF;
    IF (NEW.id, NEW.seq, NEW.user_id, NEW.transaction_type, NEW.amount, NEW.balance_after, NEW.description,
        NEW.model, NEW.prompt_tokens, NEW.completion_tokens, NEW.created_at)
       IS DISTINCT FROM
       (OLD.id, OLD.seq, OLD.user_id, OLD.transaction_type, OLD.amount, OLD.balance_after, OLD.description,
        OLD.model, OLD.prompt_tokens, OLD.completion_tokens, OLD.created_at)
       OR (NEW.project_id IS NOT NULL AND NEW.project_id IS DISTINCT FROM OLD.project_id)
       OR (NEW.generation_task_id IS NOT NULL AND NEW.generation_task_id IS DISTINCT FROM OLD.generation_task_id)
    THEN
        RAISE EXCEPTION USING MESSAGE = 'the token ledger is append-only: a row cannot be changed',
            ERRCODE = 'check_violation', CONSTRAINT = 'token_ledger_append_only';
    END IF;
    RETURN NEW;
END $$;

CREATE CONSTRAINT TRIGGER token_ledger_row AFTER INSERT ON token_transactions
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION token_ledger_row_trg();

CREATE CONSTRAINT TRIGGER token_balance AFTER INSERT OR UPDATE OF token_balance ON users
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION token_balance_trg();

CREATE TRIGGER token_ledger_append_only BEFORE UPDATE OR DELETE ON token_transactions
    FOR EACH ROW EXECUTE FUNCTION token_ledger_append_only_trg();
"""


def upgrade() -> None:
    op.create_check_constraint(op.f("ck_users_token_balance_not_negative"), "users", "token_balance >= 0")
    op.create_check_constraint(
        op.f("ck_token_transactions_balance_after_not_negative"), "token_transactions", "balance_after >= 0"
    )
    # Existing rows are numbered in the order they were written (the app writes one ledger row per
    # transaction, so created_at tells them apart), then new ones by the identity.
    op.add_column("token_transactions", sa.Column("seq", sa.BigInteger(), nullable=True))
    op.execute(
        "UPDATE token_transactions t SET seq = o.n FROM "
        "(SELECT id, row_number() OVER (ORDER BY created_at, id) AS n FROM token_transactions) o WHERE o.id = t.id"
    )
    op.alter_column("token_transactions", "seq", nullable=False)
    op.execute("ALTER TABLE token_transactions ALTER COLUMN seq ADD GENERATED ALWAYS AS IDENTITY")
    op.execute(
        "SELECT setval(pg_get_serial_sequence('token_transactions', 'seq'), "
        "COALESCE((SELECT max(seq) FROM token_transactions), 0) + 1, false)"
    )
    # A database whose balance and ledger disagree already (hand-edited, or written by test code
    # before these rules) gets one reconciling row per such user, so the next debit follows a chain.
    op.execute(
        "INSERT INTO token_transactions (user_id, transaction_type, amount, balance_after, description) "
        "SELECT u.id, CASE WHEN u.token_balance >= COALESCE(l.balance_after, 0) THEN 'CREDIT' ELSE 'DEBIT' END"
        "::transaction_type, abs(u.token_balance - COALESCE(l.balance_after, 0)), u.token_balance, "
        "'Ledger reconciled with the balance when the ledger rules were introduced' "
        "FROM users u LEFT JOIN LATERAL (SELECT balance_after FROM token_transactions t WHERE t.user_id = u.id "
        "ORDER BY t.seq DESC LIMIT 1) l ON true WHERE u.token_balance <> COALESCE(l.balance_after, 0) "
        "AND u.token_balance >= 0"
    )
    # The user's ledger newest first (the usage dialog pages it; the triggers read the last row).
    op.create_index("ix_token_transactions_user_id_seq", "token_transactions", ["user_id", "seq"], unique=True)
    # One statement per call (the driver sends each as one prepared statement).
    for statement in _FUNCTIONS.split("\n\n"):
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP TRIGGER token_ledger_append_only ON token_transactions")
    op.execute("DROP TRIGGER token_balance ON users")
    op.execute("DROP TRIGGER token_ledger_row ON token_transactions")
    op.execute("DROP FUNCTION token_ledger_append_only_trg()")
    op.execute("DROP FUNCTION token_balance_trg()")
    op.execute("DROP FUNCTION token_ledger_row_trg()")
    op.execute("DROP FUNCTION token_ledger_check_user(uuid)")
    op.drop_index("ix_token_transactions_user_id_seq", table_name="token_transactions")
    op.drop_column("token_transactions", "seq")
    op.drop_constraint(op.f("ck_token_transactions_balance_after_not_negative"), "token_transactions", type_="check")
    op.drop_constraint(op.f("ck_users_token_balance_not_negative"), "users", type_="check")
