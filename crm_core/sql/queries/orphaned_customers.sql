-- The filtered customers whose account manager had left by the as-of date (no handover), with
-- what a call list needs, the manager, and whether they have ordered since the manager left.
with
-- @include filtered_customers
,
-- @include segment_base
,

since_leaving as (
    -- the filtered customers whose manager had left (filtered_customers carries the manager),
    -- with their completed orders since that day
    select
        customers.customer_id,
        any_value(managers.manager_name) as manager_name,
        any_value(managers.left_on) as manager_left_on,
        count(order_facts.order_id) as orders_since_manager_left
    from filtered_customers as customers
    inner join stg_account_managers as managers on managers.manager_id = customers.account_manager_id
    left join order_facts
        on order_facts.customer_id = customers.customer_id
        and order_facts.is_completed
        and order_facts.ordered_on > managers.left_on
        and order_facts.ordered_on <= $as_of
    where managers.left_on <= $as_of
    group by customers.customer_id
),

orphans as (
    -- the list's rows and its sort key first (spend from the RFM scores, as segment_base has it);
    -- the customer columns are read for the page's rows only
    select
        since_leaving.*,
        coalesce(rfm_scored.monetary, 0) as sort_monetary
    from since_leaving
    left join rfm_scored on rfm_scored.customer_id = since_leaving.customer_id
),

counts as (
    select
        count(*) as listed_customers,
        count(*) filter (where orders_since_manager_left > 0) as reordered_customers
    from orphans
),

page as (
    select * from orphans
    order by sort_monetary desc, customer_id
    -- the first $limit (all when null): the page shows 200, the rest on download
    limit $limit
),

listed as (
    -- @include customer_list
    inner join page on page.customer_id = segment_base.customer_id
),

final as (
    select
        listed.*,
        page.manager_name,
        page.manager_left_on,
        page.orders_since_manager_left,
        counts.listed_customers,
        counts.reordered_customers
    from listed
    inner join page on page.customer_id = listed.customer_id
    cross join counts
)

select * from final
order by monetary desc, customer_id
