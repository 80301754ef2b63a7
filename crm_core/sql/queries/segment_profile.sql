-- Profile of RFM segments ($rfm_segments: the page compares two in one pass): each one's size
-- and spend, and how its customers split by category (share of lookback revenue), sales channel
-- (share of orders), region, age band and consent.
with
-- @include filtered_customers
,
-- @include segment_base
,

members as (
    -- segment_rfm: the people and their RFM scores, without segment_base's other joins
    select segment_rfm.*, list_position($rfm_segments, segment_rfm.rfm_segment) as segment_no
    from segment_rfm
    inner join filtered_customers on filtered_customers.customer_id = segment_rfm.customer_id
    where list_contains($rfm_segments, segment_rfm.rfm_segment)
),

window_orders as (
    select order_facts.sales_channel, members.segment_no
    from order_facts
    inner join members on members.customer_id = order_facts.customer_id
    where order_facts.is_completed
        and order_facts.ordered_on <= $as_of
        and order_facts.ordered_on > cast($as_of as date) - interval 1 day * $lookback_days
),

-- the orders' and lines' group-bys are by the segment's number in $rfm_segments (an integer),
-- its name put back after (grouping a million rows by two strings cost 3x as much)
categories as (
    -- basket_lines: the completed orders' lines per product with their category (no join of
    -- every order line with its order and product at page time)
    select
        $rfm_segments[segment_no] as rfm_segment,
        'category' as dimension,
        category as dimension_value,
        amount
    from (
        select members.segment_no, lines.category, sum(lines.line_amount) as amount
        from basket_lines as lines
        inner join members on members.customer_id = lines.customer_id
        where lines.ordered_on <= $as_of
            and lines.ordered_on > cast($as_of as date) - interval 1 day * $lookback_days
        group by members.segment_no, lines.category
    )
),

channels as (
    select
        $rfm_segments[segment_no] as rfm_segment,
        'sales_channel' as dimension,
        coalesce(sales_channel, 'unknown') as dimension_value,
        amount
    from (select segment_no, sales_channel, count(*) as amount from window_orders group by all)
),

people as (
    select rfm_segment, 'region' as dimension, coalesce(region, 'unknown') as dimension_value, count(*) as amount
    from members group by 1, 2, 3
    union all
    select rfm_segment, 'age_band', age_band, count(*) from members group by 1, 2, 3
    union all
    select rfm_segment, 'gender', coalesce(gender, 'unknown'), count(*) from members group by 1, 2, 3
),

shares as (
    select
        rfm_segment,
        dimension,
        dimension_value,
        amount / sum(amount) over (partition by rfm_segment, dimension) as share
    from (select * from categories union all select * from channels union all select * from people) as parts
),

headline as (
    select rfm_segment, 'headline' as dimension, 'customers' as dimension_value, cast(count(*) as double) as share
    from members group by rfm_segment
    union all
    select rfm_segment, 'headline', 'avg_order_value', sum(monetary) / nullif(sum(frequency), 0)
    from members group by rfm_segment
    union all
    select rfm_segment, 'headline', 'avg_frequency', avg(frequency) from members group by rfm_segment
    union all
    select rfm_segment, 'headline', 'avg_monetary', avg(monetary) from members group by rfm_segment
    union all
    select rfm_segment, 'headline', 'avg_days_since_last_order', avg(days_since_last_order)
    from members group by rfm_segment
    union all
    select rfm_segment, 'headline', 'email_consent', avg(case when has_email_consent then 1.0 else 0 end)
    from members group by rfm_segment
    union all
    select rfm_segment, 'headline', 'sms_consent', avg(case when has_sms_consent then 1.0 else 0 end)
    from members group by rfm_segment
)

select rfm_segment, dimension, dimension_value, share from headline
union all
select rfm_segment, dimension, dimension_value, share from shares
