"""The raw-table contract: what the generator writes and what an import must fill.

Every raw table and column is declared here once. The build reads only these tables; the
docs (docs/data-model.md) and the import validation are checked against this declaration.
Stored values are English codes; the UI translates them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    name: str
    sql_type: str
    required: bool
    en: str
    zh: str
    allowed: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Table:
    name: str
    key: tuple[str, ...]
    en: str
    zh: str
    columns: tuple[Column, ...]

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


REGIONS = ("east", "north", "south", "central", "southwest", "northwest", "northeast")
ACQUISITION_CHANNELS = ("search", "social", "referral", "paid_ads", "live_stream", "offline_event")
TIERS = ("normal", "silver", "gold", "diamond")
ORDER_STATUSES = ("completed", "cancelled", "returned")
SALES_CHANNELS = ("web", "app", "mini_program")
DEVICES = ("desktop", "mobile", "tablet")
EVENT_TYPES = ("visit", "product_view", "add_to_cart", "checkout_start", "purchase")
INTERACTION_CHANNELS = ("phone", "email", "sms", "web_chat", "social", "messaging_app")
INTERACTION_TYPES = ("inquiry", "complaint", "greeting", "notification")
INTERACTION_TOPICS = (
    "delivery",
    "product_quality",
    "refund",
    "payment",
    "account",
    "promotion",
    "birthday",
    "usage_tips",
)
DIRECTIONS = ("inbound", "outbound")
CATEGORIES = (
    "apparel",
    "shoes",
    "beauty",
    "baby",
    "electronics",
    "home",
    "food",
    "sports",
    "books",
)
GENDERS = ("female", "male", "unknown")
POINT_ENTRY_TYPES = ("earned", "redeemed", "expired")
POINT_REASONS = ("purchase", "review", "share", "coupon", "expiry")
MEMBERSHIP_REASONS = ("upgrade", "downgrade")
CAMPAIGN_CHANNELS = ("email", "sms", "push", "social")
CAMPAIGN_OBJECTIVES = ("reactivation", "upsell", "new_product", "festival_promo", "retention")
TARGET_SEGMENTS = ("all_customers", "lapsed_90d", "recent_buyers", "silver_plus", "never_bought")


def _c(
    name: str,
    sql_type: str,
    en: str,
    zh: str,
    required: bool = True,
    allowed: tuple[str, ...] | None = None,
) -> Column:
    return Column(name, sql_type, required, en, zh, allowed)


RAW_TABLES: tuple[Table, ...] = (
    Table(
        "account_managers",
        ("manager_id",),
        "Account managers who look after customers",
        "客户经理",
        (
            _c("manager_id", "BIGINT", "Manager id", "客户经理编号"),
            _c("name", "VARCHAR", "Full name", "姓名"),
            _c("region", "VARCHAR", "Region the manager covers", "负责大区", allowed=REGIONS),
            _c("hired_at", "DATE", "Date the manager started", "入职日期"),
            _c("left_at", "DATE", "Date the manager left; empty while employed", "离职日期", False),
        ),
    ),
    Table(
        "customers",
        ("customer_id",),
        "The customer archive",
        "客户档案",
        (
            _c("customer_id", "BIGINT", "Customer id", "客户编号"),
            _c("name", "VARCHAR", "Full name", "姓名"),
            _c("signed_up_at", "TIMESTAMP", "Registration time (first touch)", "注册时间"),
            _c("gender", "VARCHAR", "Gender", "性别", False, GENDERS),
            _c("birth_year", "INTEGER", "Year of birth", "出生年份", False),
            _c("city", "VARCHAR", "City", "城市", False),
            _c("region", "VARCHAR", "Sales region", "大区", False, REGIONS),
            _c(
                "acquisition_channel",
                "VARCHAR",
                "Channel that brought the customer",
                "获客渠道",
                False,
                ACQUISITION_CHANNELS,
            ),
            _c(
                "account_manager_id",
                "BIGINT",
                "Current account manager (a manager who left without handover keeps the customer)",
                "客户经理",
                False,
            ),
            _c("email", "VARCHAR", "E-mail address (masked on screen)", "电子邮箱", False),
            _c("phone", "VARCHAR", "Mobile number (masked on screen)", "手机号", False),
            _c("email_consent", "BOOLEAN", "Agreed to marketing e-mail", "同意邮件营销", False),
            _c("sms_consent", "BOOLEAN", "Agreed to marketing SMS", "同意短信营销", False),
        ),
    ),
    Table(
        "products",
        ("product_id",),
        "Product catalogue",
        "商品",
        (
            _c("product_id", "BIGINT", "Product id", "商品编号"),
            _c("name", "VARCHAR", "Product name", "商品名称"),
            _c("category", "VARCHAR", "Category", "品类", allowed=CATEGORIES),
            _c("list_price", "DECIMAL(12,2)", "List price", "标价"),
        ),
    ),
    Table(
        "orders",
        ("order_id",),
        "Orders (one row per order)",
        "订单",
        (
            _c("order_id", "BIGINT", "Order id", "订单号"),
            _c("customer_id", "BIGINT", "Customer who ordered", "客户编号"),
            _c("ordered_at", "TIMESTAMP", "Time the order was placed", "下单时间"),
            _c("status", "VARCHAR", "Order status", "订单状态", allowed=ORDER_STATUSES),
            _c("amount", "DECIMAL(12,2)", "Amount paid, after discount", "实付金额"),
            _c("discount", "DECIMAL(12,2)", "Discount given (coupons, points)", "优惠金额"),
            _c(
                "sales_channel",
                "VARCHAR",
                "Where the order was placed",
                "下单渠道",
                False,
                SALES_CHANNELS,
            ),
        ),
    ),
    Table(
        "order_items",
        ("order_id", "line_number"),
        "Order lines",
        "订单明细",
        (
            _c("order_id", "BIGINT", "Order id", "订单号"),
            _c("line_number", "INTEGER", "Line number within the order", "行号"),
            _c("product_id", "BIGINT", "Product", "商品编号"),
            _c("quantity", "INTEGER", "Quantity", "数量"),
            _c("unit_price", "DECIMAL(12,4)", "Price per unit before order discount", "单价"),
            _c("line_amount", "DECIMAL(12,2)", "Line total before order discount", "行金额"),
        ),
    ),
    Table(
        "web_events",
        ("event_id",),
        "Tracked web, app and mini-program events of signed-in customers",
        "网站/App/小程序行为事件",
        (
            _c("event_id", "BIGINT", "Event id", "事件编号"),
            _c("session_id", "BIGINT", "Session id", "会话编号"),
            _c("customer_id", "BIGINT", "Customer", "客户编号"),
            _c("event_at", "TIMESTAMP", "Event time", "事件时间"),
            _c("event_type", "VARCHAR", "Event type", "事件类型", allowed=EVENT_TYPES),
            _c("channel", "VARCHAR", "Web, app or mini-program", "渠道", allowed=SALES_CHANNELS),
            _c("device", "VARCHAR", "Device class", "设备", False, DEVICES),
            _c("product_id", "BIGINT", "Product viewed or added (if any)", "商品编号", False),
            _c("order_id", "BIGINT", "Order placed (purchase events)", "订单号", False),
        ),
    ),
    Table(
        "interactions",
        ("interaction_id",),
        "Service and communication touch points",
        "服务与沟通接触点",
        (
            _c("interaction_id", "BIGINT", "Interaction id", "接触编号"),
            _c("customer_id", "BIGINT", "Customer", "客户编号"),
            _c("channel", "VARCHAR", "Touch point", "渠道", allowed=INTERACTION_CHANNELS),
            _c("interaction_type", "VARCHAR", "Type", "类型", allowed=INTERACTION_TYPES),
            _c("direction", "VARCHAR", "Who started it", "方向", allowed=DIRECTIONS),
            _c("topic", "VARCHAR", "Topic", "主题", False, INTERACTION_TOPICS),
            _c("order_id", "BIGINT", "Related order (if any)", "关联订单", False),
            _c("opened_at", "TIMESTAMP", "Time it was opened", "发起时间"),
            _c("first_response_at", "TIMESTAMP", "First response", "首次响应时间", False),
            _c("resolved_at", "TIMESTAMP", "Resolution; empty if unresolved", "解决时间", False),
            _c("satisfaction", "INTEGER", "Satisfaction 1-5 (if rated)", "满意度", False),
        ),
    ),
    Table(
        "reviews",
        ("review_id",),
        "Product reviews",
        "商品评价",
        (
            _c("review_id", "BIGINT", "Review id", "评价编号"),
            _c("customer_id", "BIGINT", "Customer", "客户编号"),
            _c("order_id", "BIGINT", "Order reviewed", "订单号"),
            _c("product_id", "BIGINT", "Product reviewed", "商品编号"),
            _c("reviewed_at", "TIMESTAMP", "Review time", "评价时间"),
            _c("rating", "INTEGER", "Stars 1-5", "评分"),
            _c("is_shared", "BOOLEAN", "Shared to social media", "是否分享", False),
        ),
    ),
    Table(
        "membership_events",
        ("event_id",),
        "Membership tier changes (no row: the customer is normal)",
        "会员等级变动",
        (
            _c("event_id", "BIGINT", "Event id", "事件编号"),
            _c("customer_id", "BIGINT", "Customer", "客户编号"),
            _c("changed_at", "TIMESTAMP", "Time of the change", "变动时间"),
            _c("from_tier", "VARCHAR", "Tier before", "原等级", allowed=TIERS),
            _c("to_tier", "VARCHAR", "Tier after", "新等级", allowed=TIERS),
            _c("reason", "VARCHAR", "Upgrade or downgrade", "原因", allowed=MEMBERSHIP_REASONS),
        ),
    ),
    Table(
        "points_ledger",
        ("entry_id",),
        "Points earned, redeemed and expired",
        "积分流水",
        (
            _c("entry_id", "BIGINT", "Entry id", "流水号"),
            _c("customer_id", "BIGINT", "Customer", "客户编号"),
            _c("entry_at", "TIMESTAMP", "Time of the entry", "发生时间"),
            _c("entry_type", "VARCHAR", "Earned, redeemed or expired", "类型", allowed=POINT_ENTRY_TYPES),
            _c("points", "INTEGER", "Points (+ earned, - redeemed or expired)", "积分"),
            _c("reason", "VARCHAR", "Why", "原因", allowed=POINT_REASONS),
            _c("order_id", "BIGINT", "Related order (if any)", "关联订单", False),
        ),
    ),
    Table(
        "campaigns",
        ("campaign_id",),
        "Marketing campaigns",
        "营销活动",
        (
            _c("campaign_id", "BIGINT", "Campaign id", "活动编号"),
            _c("name", "VARCHAR", "Campaign name", "活动名称"),
            _c("channel", "VARCHAR", "Channel", "渠道", allowed=CAMPAIGN_CHANNELS),
            _c("objective", "VARCHAR", "Objective", "目标", allowed=CAMPAIGN_OBJECTIVES),
            _c("target_segment", "VARCHAR", "Who was targeted", "目标人群", False, TARGET_SEGMENTS),
            _c("started_at", "TIMESTAMP", "Start", "开始时间"),
            _c("ended_at", "TIMESTAMP", "End", "结束时间"),
            _c("cost", "DECIMAL(14,2)", "Total cost", "成本"),
            _c(
                "attribution_window_days",
                "INTEGER",
                "Days after assignment in which an order counts as a conversion",
                "归因窗口(天)",
            ),
        ),
    ),
    Table(
        "campaign_sends",
        ("campaign_id", "customer_id"),
        "Customers assigned to a campaign, treated or held out",
        "活动触达名单(含对照组)",
        (
            _c("campaign_id", "BIGINT", "Campaign", "活动编号"),
            _c("customer_id", "BIGINT", "Customer", "客户编号"),
            _c("assigned_at", "TIMESTAMP", "Time of random assignment", "分组时间"),
            _c("is_holdout", "BOOLEAN", "Held out: selected but not contacted", "是否对照组"),
            _c("sent_at", "TIMESTAMP", "Sent (empty for the holdout)", "发送时间", False),
            _c("delivered_at", "TIMESTAMP", "Delivered", "送达时间", False),
            _c("opened_at", "TIMESTAMP", "Opened", "打开时间", False),
            _c("clicked_at", "TIMESTAMP", "Clicked", "点击时间", False),
            _c("unsubscribed_at", "TIMESTAMP", "Unsubscribed", "退订时间", False),
        ),
    ),
)

RAW_TABLE_NAMES: tuple[str, ...] = tuple(t.name for t in RAW_TABLES)


def table(name: str) -> Table:
    """The declaration of one raw table; ValueError names the allowed tables."""
    for t in RAW_TABLES:
        if t.name == name:
            return t
    raise ValueError(f"unknown table {name!r}; expected one of {', '.join(RAW_TABLE_NAMES)}")


def create_table_sql(t: Table) -> str:
    """DDL for one raw table. Identifiers come from the declaration above, never from input.

    No primary key: an ART index makes bulk loads of tens of millions of rows slow and
    memory-hungry; key uniqueness is a data test instead (tests/data_tests).
    """
    cols = ",\n  ".join(f"{c.name} {c.sql_type}{' not null' if c.required else ''}" for c in t.columns)
    return f"create table {t.name} (\n  {cols}\n)"
