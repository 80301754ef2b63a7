-- grain: one row per order placed on or before the as-of date
with orders as (
    select * from stg_orders
    where ordered_on <= $as_of
),

customers as (
    select customer_id, region, acquisition_channel
    from stg_customers
),

final as (
    select
        orders.order_id,
        orders.customer_id,
        orders.ordered_at,
        orders.ordered_on,
        cast(date_trunc('month', orders.ordered_on) as date) as order_month,
        orders.order_status,
        orders.is_completed,
        orders.amount,
        orders.discount,
        orders.amount + orders.discount as gross_amount,
        orders.sales_channel,
        customers.region,
        customers.acquisition_channel,
        -- a completed order's place in the customer's completed orders (by time, then id): the
        -- days of the one and the two before it. A window of days counts its active customers
        -- as its orders whose previous one falls before the window (each customer's first in
        -- it), and its repeat customers as those whose previous is inside and the one before
        -- that is not (each customer's second): one pass, no grouping by customer.
        case when orders.is_completed then lag(orders.ordered_on) over completed end as previous_completed_on,
        case when orders.is_completed then lag(orders.ordered_on, 2) over completed end
            as second_previous_completed_on
    from orders
    left join customers on customers.customer_id = orders.customer_id
    window completed as (
        partition by orders.customer_id, orders.is_completed order by orders.ordered_at, orders.order_id
    )
)

-- stored in date order: page queries select a date range, and DuckDB skips the row groups
-- outside it (min/max zone maps) instead of scanning every order
select * from final
order by ordered_on, order_id
